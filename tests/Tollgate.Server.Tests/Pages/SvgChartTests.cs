using System.Globalization;
using System.Text.RegularExpressions;
using Tollgate.Server.Web.Admin;
using Tollgate.Server.Web;

namespace Tollgate.Server.Tests.Pages;

public sealed partial class SvgChartTests
{
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

    [GeneratedRegex("viewBox=\"(-?[0-9.]+) 0 ([0-9.]+) [0-9.]+\"")]
    private static partial Regex ViewBox();

    [GeneratedRegex("<text x=\"([0-9.]+)\" y=\"[0-9.]+\" font-size=\"11\" text-anchor=\"end\" fill=\"#4b5563\">([^<]*)</text>")]
    private static partial Regex AxisLabel();

    [GeneratedRegex("<text x=\"([0-9.]+)\" y=\"[0-9.]+\" font-size=\"11\" text-anchor=\"middle\" fill=\"#4b5563\">([^<]*)</text>")]
    private static partial Regex DateLabel();
}
