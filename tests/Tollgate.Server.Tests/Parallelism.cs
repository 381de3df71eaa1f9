// A server test mostly waits (on disk syncs, PostgreSQL round trips and HTTP), so with xunit's default of one test
// per core the two cores sat half idle; four test classes at a time keep them busy.
[assembly: Xunit.CollectionBehavior(MaxParallelThreads = 4)]
