using System.Globalization;
using System.Xml.Linq;

namespace Tollgate.Server.Web;

/// <summary>A named series of values, one per label.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<decimal> Values);

/// <summary>
/// Charts drawn as SVG on the server: no script, no charting library to install, readable by screen readers (each
/// chart is an image with a text alternative, each point or bar has a title) and printable. The drawing is built as
/// an element tree, which escapes every label and name, and pages place the finished markup as it is.
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
        var (min, max, step) = Scale(series.SelectMany(s => s.Values));
        var svg = Open(title, series, labels, format, min, max, step);
        for (var s = 0; s < series.Count; s++)
        {
            var colour = Colours[s % Colours.Length];
            var points = series[s].Values.Select((v, i) => $"{N(X(i, labels.Count))},{N(Y(v, min, max))}");
            svg.Add(Svg("polyline", ("fill", "none"), ("stroke", colour), ("stroke-width", "2.5"), ("points", string.Join(' ', points))));
            for (var i = 0; i < series[s].Values.Count; i++)
            {
                svg.Add(Svg("circle", ("cx", N(X(i, labels.Count))), ("cy", N(Y(series[s].Values[i], min, max))), ("r", "3"), ("fill", colour))
                    .With(Svg("title").With($"{labels[i]} {series[s].Name}: {format(series[s].Values[i])}")));
            }
        }

        return Figure(title, svg, series);
    }

    /// <summary>Bars per label: side by side, or stacked (positive values up, negative down) when <paramref name="stacked"/>.</summary>
    public static string Bars(string title, IReadOnlyList<string> labels, IReadOnlyList<ChartSeries> series, Func<decimal, string> format, bool stacked = false)
    {
        var totals = stacked
            ? labels.Select((_, i) => series.Sum(s => Math.Max(0, s.Values[i]))).Concat(labels.Select((_, i) => series.Sum(s => Math.Min(0, s.Values[i]))))
            : series.SelectMany(s => s.Values);
        var (min, max, step) = Scale(totals);
        var svg = Open(title, series, labels, format, min, max, step);
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
                svg.Add(Svg("rect", ("x", N(x)), ("y", N(Math.Min(y1, y2))), ("width", N(barWidth)), ("height", N(Math.Max(0.5, Math.Abs(y2 - y1)))),
                        ("fill", Colours[s % Colours.Length]))
                    .With(Svg("title").With($"{labels[i]} {series[s].Name}: {format(series[s].Values[i])}")));
            }
        }

        return Figure(title, svg, series);
    }

    /// <summary>Horizontal bars, one per item, largest first, with the value written beside each.</summary>
    public static string HorizontalBars(string title, IReadOnlyList<(string Label, decimal Value)> items, Func<decimal, string> format)
    {
        var rows = items.Take(10).ToList();
        var height = Math.Max(40, (rows.Count * 28) + 8);
        var max = Math.Max(rows.Select(r => Math.Abs(r.Value)).DefaultIfEmpty(0).Max(), 0.000001m);
        var svg = Svg("svg", ("viewBox", $"0 0 {Width} {N(height)}"), ("role", "img"), ("aria-label", title));
        if (rows.Count == 0)
        {
            svg.Add(Svg("text", ("x", "8"), ("y", "24"), ("fill", "#4b5563"), ("font-size", "13")).With("No data yet"));
        }

        // The label is cut at the bar's start: 26 characters of wide letters ("WWWW…") ran over the bar and its value.
        var clip = "labels-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(title)))[..12];
        svg.Add(Svg("defs").With(Svg("clipPath", ("id", clip)).With(Svg("rect", ("x", "0"), ("y", "0"), ("width", "194"), ("height", N(height))))));
        for (var i = 0; i < rows.Count; i++)
        {
            var y = 4 + (i * 28);
            var w = (double)(Math.Abs(rows[i].Value) / max) * (Width - 330);
            svg.Add(
                Svg("text", ("x", "0"), ("y", N(y + 17)), ("font-size", "13"), ("fill", "#111827"), ("clip-path", $"url(#{clip})"))
                    .With(Truncate(rows[i].Label, 26)),
                Svg("rect", ("x", "200"), ("y", N(y + 4)), ("width", N(Math.Max(1, w))), ("height", "18"), ("rx", "3"),
                    ("fill", rows[i].Value < 0 ? Colours[3] : Colours[0])).With(Svg("title").With($"{rows[i].Label}: {format(rows[i].Value)}")),
                Svg("text", ("x", N(206 + w)), ("y", N(y + 17)), ("font-size", "13"), ("fill", "#111827")).With(format(rows[i].Value)));
        }

        return Tag("figure", ("class", "chart card")).With(Tag("figcaption").With(title), svg).ToString(SaveOptions.DisableFormatting);
    }

    private static XElement Open(string title, IReadOnlyList<ChartSeries> series, IReadOnlyList<string> labels, Func<decimal, string> format,
        decimal min, decimal max, decimal step)
    {
        var ticks = Enumerable.Range(0, (int)((max - min) / step) + 1).Select(g => min + (g * step)).ToList();
        var summary = string.Join("; ", series.Select(s => $"{s.Name} from {format(s.Values.FirstOrDefault())} to {format(s.Values.LastOrDefault())}"));
        // The drawing widens to the left for long axis labels ("$12,345.67") and to the right for the last date label,
        // so that neither is clipped, whatever the amounts.
        var widest = ticks.Max(t => format(t).Length);
        var leftPad = Math.Max(0, (int)Math.Ceiling(widest * AxisCharWidth) - (Left - 6));
        var svg = Svg("svg", ("viewBox", $"{N(-leftPad)} 0 {N(Width + leftPad + RightPad)} {N(Height)}"), ("role", "img"), ("aria-label", $"{title}: {summary}"));
        foreach (var value in ticks)
        {
            var y = Y(value, min, max);
            svg.Add(
                Svg("line", ("x1", N(Left)), ("x2", N(Width - Right)), ("y1", N(y)), ("y2", N(y)), ("stroke", value == 0 ? "#9ca3af" : "#e5e7eb")),
                Svg("text", ("x", N(Left - 6)), ("y", N(y + 4)), ("font-size", "11"), ("text-anchor", "end"), ("fill", "#4b5563")).With(format(value)));
        }

        var every = Math.Max(1, (int)Math.Ceiling(labels.Count / 8.0));
        for (var i = 0; i < labels.Count; i += every)
        {
            svg.Add(Svg("text", ("x", N(X(i, labels.Count))), ("y", N(Height - 12)), ("font-size", "11"), ("text-anchor", "middle"), ("fill", "#4b5563"))
                .With(labels[i]));
        }

        return svg;
    }

    private static string Figure(string title, XElement svg, IReadOnlyList<ChartSeries> series) =>
        Tag("figure", ("class", "chart card"))
            .With(Tag("figcaption").With(title), svg,
                Tag("div", ("class", "legend")).With(series.Select((s, i) => Tag("span", ("class", $"s{i % Colours.Length}")).With(s.Name))))
            .ToString(SaveOptions.DisableFormatting);

    /// <summary>An SVG element: drawn inside inline SVG, where an empty element may close itself.</summary>
    internal static XElement Svg(string name, params (string Name, string Value)[] attributes) =>
        new(name, attributes.Select(a => new XAttribute(a.Name, a.Value)));

    /// <summary>An HTML element, always with an end tag: a self-closed &lt;div/&gt; would leave the element open in HTML.</summary>
    internal static XElement Tag(string name, params (string Name, string Value)[] attributes) =>
        new(name, attributes.Select(a => new XAttribute(a.Name, a.Value)), "");

    internal static XElement With(this XElement element, params object[] content)
    {
        element.Add(content);
        return element;
    }

    /// <summary>A coordinate to one decimal, as SVG reads it (never a culture's comma).</summary>
    internal static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>
    /// The axis: from a round number at or below the lowest value (or 0) to one at or above the highest, in at most
    /// <see cref="MaxIntervals"/> steps of 1, 2, 2.5 or 5 times a power of ten, so the ticks read $0, $20, $40, $60 rather
    /// than $0, $14.99, $29.99, $44.98. Counts (every value whole) never step by less than 1.
    /// </summary>
    public static (decimal Min, decimal Max, decimal Step) Scale(IEnumerable<decimal> values)
    {
        var all = values.DefaultIfEmpty(0).ToList();
        var low = Math.Min(0, all.Min());
        var high = Math.Max(0, all.Max());
        if (high == low)
        {
            high = low + 1;
        }

        var whole = all.All(v => v == decimal.Truncate(v));
        var power = (decimal)Math.Pow(10, Math.Floor(Math.Log10((double)((high - low) / MaxIntervals))));
        foreach (var step in new[] { 1m, 2m, 2.5m, 5m, 10m, 20m, 25m, 50m }.Select(m => m * power).Where(s => !whole || (s >= 1 && s == decimal.Truncate(s))))
        {
            var (min, max) = (Math.Floor(low / step) * step, Math.Ceiling(high / step) * step);
            if ((max - min) / step <= MaxIntervals)
            {
                return (min, max, step);
            }
        }

        return (low, high, (high - low) / MaxIntervals); // not reached: a step of 50 × the power always fits
    }

    /// <summary>The most gridline intervals an axis has; fewer when round steps cover the values in fewer.</summary>
    public const int MaxIntervals = 5;

    private static double X(int i, int count) =>
        Left + ((Width - Left - Right) * (count <= 1 ? 0.5 : (i + 0.5) / count));

    private static double Y(decimal value, decimal min, decimal max) =>
        Top + ((Height - Top - Bottom) * (double)((max - value) / (max - min)));

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
