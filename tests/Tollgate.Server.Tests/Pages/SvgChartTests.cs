using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Tollgate.Server.Web.Admin;
using Tollgate.Server.Web;

namespace Tollgate.Server.Tests.Pages;

public sealed partial class SvgChartTests
{
    [Fact]
    public void ABarsLabelIsCutAtTheBarsStartSoWideLettersNeverRunOverTheBar()
    {
        var svg = XDocument.Parse(SvgChart.HorizontalBars("Customers by plan", [(new string('W', 40), 3m), ("Pro", 1m)], v => v.ToString("0")));

        var clip = svg.Descendants("clipPath").Single();
        var labels = svg.Descendants("text").Where(t => t.Value.StartsWith('W') || t.Value == "Pro").ToList();

        // Cut by characters alone, 26 W's ran past x = 194 into the bar drawn from x = 200.
        Assert.True(double.Parse(clip.Element("rect")!.Attribute("width")!.Value, System.Globalization.CultureInfo.InvariantCulture) < 200);
        Assert.All(labels, l => Assert.Equal($"url(#{clip.Attribute("id")!.Value})", l.Attribute("clip-path")?.Value));
    }

    [Fact]
    public void TheWidestAxisLabelAndTheLastDateFitInsideTheDrawing()
    {
        var svg = SvgChart.Line("MRR by month", ["2026-01", "2026-02", "2026-03"],
            [new ChartSeries("MRR", [1_234.5m, 12_345.67m, -11.26m])], ConsoleMoney.Usd);

        var viewBox = ViewBox().Match(svg).Groups;
        var minX = double.Parse(viewBox[1].Value, CultureInfo.InvariantCulture);
        var width = double.Parse(viewBox[2].Value, CultureInfo.InvariantCulture);
        var axisLabels = AxisLabel().Matches(svg).Select(m => (Right: double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Text: m.Groups[2].Value));
        var lastDate = DateLabel().Matches(svg).Select(m => (Centre: double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Text: m.Groups[2].Value)).Last();

        Assert.All(axisLabels, label => Assert.True(label.Right - (label.Text.Length * SvgChart.AxisCharWidth) >= minX, $"'{label.Text}' is clipped"));
        Assert.True(lastDate.Centre + (lastDate.Text.Length * SvgChart.AxisCharWidth / 2) <= minX + width, $"'{lastDate.Text}' is clipped");
    }

    [Theory]
    [InlineData(new[] { 0, 29.99, 59.98, 59.98 }, new[] { 0, 20, 40, 60 })] // MRR: $0, $20, $40, $60, not $14.99 steps
    [InlineData(new[] { 0, 2.5, 12.96 }, new[] { 0, 5, 10, 15 })]
    [InlineData(new[] { -11.26, 1234.5, 12345.67 }, new[] { -5000, 0, 5000, 10000, 15000 })]
    [InlineData(new[] { 0, 1.0 }, new[] { 0, 1 })] // a count never steps by a fraction
    [InlineData(new[] { 3.0, 5.0 }, new[] { 0, 1, 2, 3, 4, 5 })]
    [InlineData(new[] { 0.0 }, new[] { 0, 1 })]
    public void AxisTicksAreRoundStepsFromZeroThatCoverEveryValue(double[] values, int[] ticks)
    {
        var svg = SvgChart.Line("Chart", [.. values.Select((_, i) => $"d{i}")], [new ChartSeries("S", [.. values.Select(v => (decimal)v)])],
            v => v.ToString("0.##", CultureInfo.InvariantCulture));

        Assert.Equal(ticks.Select(t => t.ToString(CultureInfo.InvariantCulture)), AxisLabel().Matches(svg).Select(m => m.Groups[2].Value));
    }

    [GeneratedRegex("viewBox=\"(-?[0-9.]+) 0 ([0-9.]+) [0-9.]+\"")]
    private static partial Regex ViewBox();

    [GeneratedRegex("<text x=\"([0-9.]+)\" y=\"[0-9.]+\" font-size=\"11\" text-anchor=\"end\" fill=\"#4b5563\">([^<]*)</text>")]
    private static partial Regex AxisLabel();

    [GeneratedRegex("<text x=\"([0-9.]+)\" y=\"[0-9.]+\" font-size=\"11\" text-anchor=\"middle\" fill=\"#4b5563\">([^<]*)</text>")]
    private static partial Regex DateLabel();
}
