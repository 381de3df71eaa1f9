// Each test class is its own collection, so classes run side by side, four at a time, in one shared browser (BrowserFixture).
// A browser test mostly waits (on its server, on Chromium's layout and on the disk), so four keep the two cores busy where one
// left them idle; within a class the tests still run one after another.
[assembly: Xunit.CollectionBehavior(MaxParallelThreads = 4)]
