using System.Globalization;
using System.Text;
using static Tollgate.Server.Pages.Html;

namespace Tollgate.Server.Pages;

/// <summary>A named series of values, one per label.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<decimal> Values);

/// <summary>
/// Charts drawn as SVG on the server: no script, no charting library to install, readable by screen readers (each
/// chart is an image with a text alternative, each point or bar has a title) and printable.
/// </summary>
public static class SvgChart
{
    private const int Width = 640, Height = 240, Left = 56, Right = 12, Top = 12, Bottom = 36, RightPad = 24;

    /// <summary>An 11px axis label's width per character, a little over the average, so estimates err on the wide side.</summary>
    public const double AxisCharWidth = 6.5;
    private static readonly string[] Colours = ["#4338ca", "#0f766e", "#b45309", "#b91c1c", "#6d28d9"];

    /// <summary>Lines over the labels (months, days), one per series.</summary>
    public static string Line(string title, IReadOnlyList<string> labels, IReadOnlyList<ChartSeries> series, Func<decimal, string> format)
    {
        var (min, max) = Range(series.SelectMany(s => s.Values));
        var svg = Open(title, series, labels, format, min, max);
        for (var s = 0; s < series.Count; s++)
        {
            var points = series[s].Values.Select((v, i) => $"{X(i, labels.Count):0.#},{Y(v, min, max):0.#}");
            svg.Append(CultureInfo.InvariantCulture,
                $"<polyline fill=\"none\" stroke=\"{Colours[s % Colours.Length]}\" stroke-width=\"2.5\" points=\"{string.Join(' ', points)}\"/>");
            for (var i = 0; i < series[s].Values.Count; i++)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<circle cx=\"{X(i, labels.Count):0.#}\" cy=\"{Y(series[s].Values[i], min, max):0.#}\" r=\"3\" fill=\"{Colours[s % Colours.Length]}\"><title>{E(labels[i])} {E(series[s].Name)}: {E(format(series[s].Values[i]))}</title></circle>");
            }
        }

        return Close(svg, series);
    }

    /// <summary>Bars per label: side by side, or stacked (positive values up, negative down) when <paramref name="stacked"/>.</summary>
    public static string Bars(string title, IReadOnlyList<string> labels, IReadOnlyList<ChartSeries> series, Func<decimal, string> format, bool stacked = false)
    {
        var totals = stacked
            ? labels.Select((_, i) => series.Sum(s => Math.Max(0, s.Values[i]))).Concat(labels.Select((_, i) => series.Sum(s => Math.Min(0, s.Values[i]))))
            : series.SelectMany(s => s.Values);
        var (min, max) = Range(totals);
        var svg = Open(title, series, labels, format, min, max);
        var slot = (Width - Left - Right) / (double)Math.Max(1, labels.Count);
        var barWidth = Math.Max(1, (stacked ? slot * 0.7 : slot * 0.8 / Math.Max(1, series.Count)) - 1);
        for (var i = 0; i < labels.Count; i++)
        {
            double up = 0, down = 0;
            for (var s = 0; s < series.Count; s++)
            {
                var value = (double)series[s].Values[i];
                double from, to;
                if (stacked)
                {
                    (from, to) = value >= 0 ? (up, up + value) : (down, down + value);
                    if (value >= 0)
                    {
                        up += value;
                    }
                    else
                    {
                        down += value;
                    }
                }
                else
                {
                    (from, to) = (0, value);
                }

                var x = Left + (slot * i) + (stacked ? slot * 0.15 : (slot * 0.1) + (s * (barWidth + 1)));
                var y1 = Y((decimal)from, min, max);
                var y2 = Y((decimal)to, min, max);
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{x:0.#}\" y=\"{Math.Min(y1, y2):0.#}\" width=\"{barWidth:0.#}\" height=\"{Math.Max(0.5, Math.Abs(y2 - y1)):0.#}\" fill=\"{Colours[s % Colours.Length]}\"><title>{E(labels[i])} {E(series[s].Name)}: {E(format(series[s].Values[i]))}</title></rect>");
            }
        }

        return Close(svg, series);
    }

    /// <summary>Horizontal bars, one per item, largest first, with the value written beside each.</summary>
    public static string HorizontalBars(string title, IReadOnlyList<(string Label, decimal Value)> items, Func<decimal, string> format)
    {
        var rows = items.Take(10).ToList();
        var height = Math.Max(40, (rows.Count * 28) + 8);
        var max = Math.Max(rows.Select(r => Math.Abs(r.Value)).DefaultIfEmpty(0).Max(), 0.000001m);
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<figure class=\"chart card\"><figcaption>{E(title)}</figcaption><svg viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"{E(title)}\">");
        if (rows.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"8\" y=\"24\" fill=\"#4b5563\" font-size=\"13\">No data yet</text>");
        }

        for (var i = 0; i < rows.Count; i++)
        {
            var y = 4 + (i * 28);
            var w = (double)(Math.Abs(rows[i].Value) / max) * (Width - 330);
            svg.Append(CultureInfo.InvariantCulture, $"""
                <text x="0" y="{y + 17}" font-size="13" fill="#111827">{E(Truncate(rows[i].Label, 26))}</text>
                <rect x="200" y="{y + 4}" width="{Math.Max(1, w):0.#}" height="18" rx="3" fill="{(rows[i].Value < 0 ? Colours[3] : Colours[0])}"><title>{E(rows[i].Label)}: {E(format(rows[i].Value))}</title></rect>
                <text x="{206 + w:0.#}" y="{y + 17}" font-size="13" fill="#111827">{E(format(rows[i].Value))}</text>
                """);
        }

        return svg.Append("</svg></figure>").ToString();
    }

    private static StringBuilder Open(string title, IReadOnlyList<ChartSeries> series, IReadOnlyList<string> labels, Func<decimal, string> format,
        decimal min, decimal max)
    {
        var summary = string.Join("; ", series.Select(s => $"{s.Name} from {format(s.Values.FirstOrDefault())} to {format(s.Values.LastOrDefault())}"));
        // The drawing widens to the left for long axis labels ("$12,345.67") and to the right for the last date label,
        // so that neither is clipped, whatever the amounts.
        var widest = Enumerable.Range(0, 5).Max(g => format(min + ((max - min) * g / 4)).Length);
        var leftPad = Math.Max(0, (int)Math.Ceiling(widest * AxisCharWidth) - (Left - 6));
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<figure class=\"chart card\"><figcaption>{E(title)}</figcaption><svg viewBox=\"{-leftPad} 0 {Width + leftPad + RightPad} {Height}\" role=\"img\" aria-label=\"{E($"{title}: {summary}")}\">");
        for (var g = 0; g <= 4; g++)
        {
            var value = min + ((max - min) * g / 4);
            var y = Y(value, min, max);
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"{(value == 0 ? "#9ca3af" : "#e5e7eb")}\"/><text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" font-size=\"11\" text-anchor=\"end\" fill=\"#4b5563\">{E(format(value))}</text>");
        }

        var every = Math.Max(1, (int)Math.Ceiling(labels.Count / 8.0));
        for (var i = 0; i < labels.Count; i += every)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{X(i, labels.Count):0.#}\" y=\"{Height - 12}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#4b5563\">{E(labels[i])}</text>");
        }

        return svg;
    }

    private static string Close(StringBuilder svg, IReadOnlyList<ChartSeries> series)
    {
        svg.Append("</svg><div class=\"legend\">");
        for (var s = 0; s < series.Count; s++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<span class=\"s{s % Colours.Length}\">{E(series[s].Name)}</span>");
        }

        return svg.Append("</div></figure>").ToString();
    }

    private static (decimal Min, decimal Max) Range(IEnumerable<decimal> values)
    {
        var all = values.DefaultIfEmpty(0).ToList();
        var min = Math.Min(0, all.Min());
        var max = Math.Max(0, all.Max());
        return max == min ? (min, min + 1) : (min, max);
    }

    private static double X(int i, int count) =>
        Left + ((Width - Left - Right) * (count <= 1 ? 0.5 : (i + 0.5) / count));

    private static double Y(decimal value, decimal min, decimal max) =>
        Top + ((Height - Top - Bottom) * (double)((max - value) / (max - min)));

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
