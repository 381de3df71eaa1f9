using System.Globalization;
using System.Xml.Linq;
using Tollgate.Core.Experiments;

namespace Tollgate.Server.Web.Admin;

/// <summary>
/// Conversion rates as SVG: one row per variant, a dot at the rate and a bar across its 95% Wilson interval, on a
/// percent axis from 0 that leaves room for the widest interval. Drawn here, not in the shared chart helper, because
/// no other page draws intervals; built as an element tree like it, so every variant name is escaped.
/// </summary>
public static class AdminExperimentChart
{
    private const int Width = 640, Left = 130, Right = 24, Top = 8, Row = 36, Axis = 28;
    private const string Control = "#4b5563", Challenger = "#4338ca";
    private static readonly double[] Steps = [0.0025, 0.005, 0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25];

    public static string Draw(string title, IReadOnlyList<VariantResult> results)
    {
        var height = Top + (results.Count * Row) + Axis;
        var top = Ceiling(results.Select(r => r.ConversionInterval.High).DefaultIfEmpty(0).Max());
        double X(double rate) => Left + ((Width - Left - Right) * rate / top);
        var summary = string.Join("; ", results.Select(r => $"{r.Variant} {Percent(r.ConversionRate)} ({Percent(r.ConversionInterval.Low)} to {Percent(r.ConversionInterval.High)})"));
        var svg = SvgChart.Svg("svg", ("viewBox", $"0 0 {Width} {height}"), ("role", "img"), ("aria-label", $"{title}: {summary}"));
        for (var g = 0; g <= 4; g++)
        {
            var x = SvgChart.N(X(top * g / 4));
            svg.Add(
                SvgChart.Svg("line", ("x1", x), ("x2", x), ("y1", SvgChart.N(Top)), ("y2", SvgChart.N(height - Axis + 4)), ("stroke", g == 0 ? "#9ca3af" : "#e5e7eb")),
                SvgChart.Svg("text", ("x", x), ("y", SvgChart.N(height - 8)), ("font-size", "11"), ("text-anchor", "middle"), ("fill", "#4b5563"))
                    .With(Tick(top * g / 4)));
        }

        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            var y = Top + (i * Row) + (Row / 2.0);
            var colour = r.IsControl ? Control : Challenger;
            var (low, high, rate) = (X(r.ConversionInterval.Low), X(r.ConversionInterval.High), X(r.ConversionRate));
            var label = r.Variant.Length <= 16 ? r.Variant : r.Variant[..15] + "…"; // 16 characters of 13px text fit left of the axis
            svg.Add(SvgChart.Svg("g", ("data-variant", r.Variant)).With(
                SvgChart.Svg("title").With(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Variant}: {Percent(r.ConversionRate)}, 95% interval {Percent(r.ConversionInterval.Low)} to {Percent(r.ConversionInterval.High)}, {r.Conversions:N0} of {r.Visitors:N0} visitors")),
                SvgChart.Svg("text", ("x", SvgChart.N(Left - 10)), ("y", SvgChart.N(y + 4)), ("font-size", "13"), ("text-anchor", "end"), ("fill", "#111827"))
                    .With(label),
                SvgChart.Svg("rect", ("x", SvgChart.N(low)), ("y", SvgChart.N(y - 5)), ("width", SvgChart.N(Math.Max(1, high - low))), ("height", "10"), ("rx", "3"),
                    ("fill", colour), ("fill-opacity", "0.25")),
                SvgChart.Svg("line", ("x1", SvgChart.N(low)), ("x2", SvgChart.N(low)), ("y1", SvgChart.N(y - 8)), ("y2", SvgChart.N(y + 8)), ("stroke", colour),
                    ("stroke-width", "2")),
                SvgChart.Svg("line", ("x1", SvgChart.N(high)), ("x2", SvgChart.N(high)), ("y1", SvgChart.N(y - 8)), ("y2", SvgChart.N(y + 8)), ("stroke", colour),
                    ("stroke-width", "2")),
                SvgChart.Svg("circle", ("cx", SvgChart.N(rate)), ("cy", SvgChart.N(y)), ("r", "5"), ("fill", colour))));
        }

        return SvgChart.Tag("figure", ("class", "chart card"), ("data-testid", "results-chart"))
            .With(SvgChart.Tag("figcaption").With(title), svg,
                SvgChart.Tag("div", ("class", "legend")).With(
                    SvgChart.Tag("span", ("class", "s0")).With("Dot: conversion rate"), SvgChart.Tag("span").With("Bar: 95% Wilson interval")))
            .ToString(SaveOptions.DisableFormatting);
    }

    private static string Tick(double rate) => Math.Round(rate * 100, 2).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    /// <summary>A rate as a percent with one decimal ("12.5%").</summary>
    public static string Percent(double rate) => (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>The axis end: four round steps (1, 2, 2.5, 5, 10, 20 or 25 points) that reach the highest interval end, so ticks read 0, 20%, 40%….</summary>
    private static double Ceiling(double high) => 4 * Steps.First(step => (4 * step) >= high - 1e-9);
}
