using Tollgate.Core.Time;

namespace Tollgate.Core.Tests;

public sealed class IdsTests
{
    [Fact]
    public void IdsMadeOneAfterAnotherSortInThatOrderEvenWithinOneMillisecond()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        var ids = new List<string>();
        for (var i = 0; i < 500; i++)
        {
            ids.Add(Ids.New("inv", clock));
            if (i % 100 == 99)
            {
                clock.Advance(TimeSpan.FromMilliseconds(1));
            }
        }

        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        Assert.Equal(500, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(4 + 26, id.Length));
    }

    [Fact]
    public void AnIdMadeALaterMillisecondSortsAfter()
    {
        var early = Ids.New("sub", new ManualClock(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        var later = Ids.New("sub", new ManualClock(new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero)));

        Assert.True(string.CompareOrdinal(early, later) < 0);
    }
}
