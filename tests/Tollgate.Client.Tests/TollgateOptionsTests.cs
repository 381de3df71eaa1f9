using Tollgate.Client.AspNetCore;

namespace Tollgate.Client.Tests;

public sealed class TollgateOptionsTests
{
    [Fact]
    public void AGateTimeoutThatIsNotPositiveIsRefusedWhenSetAndInfiniteTurnsTheDeadlineOff()
    {
        // Refused here, where it would otherwise throw from CancelAfter on every gated request.
        var options = new TollgateOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.GateTimeout = TimeSpan.FromSeconds(-2));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.GateTimeout = TimeSpan.Zero);
        options.GateTimeout = Timeout.InfiniteTimeSpan;

        Assert.Equal(Timeout.InfiniteTimeSpan, options.GateTimeout);
    }
}
