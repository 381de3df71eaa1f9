using System.Text.Json;
using Tollgate.Core.Json;

namespace Tollgate.Core.Tests.Json;

public sealed class ExactDecimalTests
{
    [Theory]
    [InlineData("2.5", true)]
    [InlineData("2.50000", true)]
    [InlineData("1E2", true)]
    [InlineData("-0.0", true)]
    [InlineData("0.000000001", true)]
    [InlineData("12345678901234567890.12345678", true)]
    [InlineData("2.50000000000000000000000000001", false)]
    [InlineData("1e-30", false)]
    [InlineData("12345678901234567890.123456789012", false)]
    public void ANumberHoldsOnlyWhenItsDecimalIsExactlyWhatWasWritten(string json, bool holds)
    {
        using var document = JsonDocument.Parse(json);
        Assert.True(document.RootElement.TryGetDecimal(out var value));

        Assert.Equal(holds, ExactDecimal.Holds(document.RootElement.GetRawText(), value));
    }
}
