using System.Globalization;
using System.Text;
using Tollgate.Core.Experiments;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Admin;

/// <summary>
/// Conversion rates as SVG: one row per variant, a dot at the rate and a bar across its 95% Wilson interval, on a
/// percent axis from 0 that leaves room for the widest interval. Drawn here, not in the shared chart helper, because
/// no other page draws intervals.
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
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<figure class=\"chart card\" data-testid=\"results-chart\"><figcaption>{E(title)}</figcaption><svg viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"{E($"{title}: {summary}")}\">");
        for (var g = 0; g <= 4; g++)
        {
            var x = X(top * g / 4);
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{x:0.#}\" x2=\"{x:0.#}\" y1=\"{Top}\" y2=\"{height - Axis + 4}\" stroke=\"{(g == 0 ? "#9ca3af" : "#e5e7eb")}\"/><text x=\"{x:0.#}\" y=\"{height - 8}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#4b5563\">{E(Tick(top * g / 4))}</text>");
        }

        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            var y = Top + (i * Row) + (Row / 2.0);
            var colour = r.IsControl ? Control : Challenger;
            var (low, high, rate) = (X(r.ConversionInterval.Low), X(r.ConversionInterval.High), X(r.ConversionRate));
            var label = r.Variant.Length <= 16 ? r.Variant : r.Variant[..15] + "…"; // 16 characters of 13px text fit left of the axis
            svg.Append(CultureInfo.InvariantCulture, $"""
                <g data-variant="{E(r.Variant)}"><title>{E(r.Variant)}: {E(Percent(r.ConversionRate))}, 95% interval {E(Percent(r.ConversionInterval.Low))} to {E(Percent(r.ConversionInterval.High))}, {r.Conversions:N0} of {r.Visitors:N0} visitors</title>
                <text x="{Left - 10}" y="{y + 4:0.#}" font-size="13" text-anchor="end" fill="#111827">{E(label)}</text>
                <rect x="{low:0.#}" y="{y - 5:0.#}" width="{Math.Max(1, high - low):0.#}" height="10" rx="3" fill="{colour}" fill-opacity="0.25"/>
                <line x1="{low:0.#}" x2="{low:0.#}" y1="{y - 8:0.#}" y2="{y + 8:0.#}" stroke="{colour}" stroke-width="2"/>
                <line x1="{high:0.#}" x2="{high:0.#}" y1="{y - 8:0.#}" y2="{y + 8:0.#}" stroke="{colour}" stroke-width="2"/>
                <circle cx="{rate:0.#}" cy="{y:0.#}" r="5" fill="{colour}"/></g>
                """);
        }

        return svg.Append("""
            </svg><div class="legend"><span class="s0">Dot: conversion rate</span><span>Bar: 95% Wilson interval</span></div></figure>
            """).ToString();
    }

    private static string Tick(double rate) => Math.Round(rate * 100, 2).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    /// <summary>A rate as a percent with one decimal ("12.5%").</summary>
    public static string Percent(double rate) => (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>The axis end: four round steps (1, 2, 2.5, 5, 10, 20 or 25 points) that reach the highest interval end, so ticks read 0, 20%, 40%….</summary>
    private static double Ceiling(double high) => 4 * Steps.First(step => (4 * step) >= high - 1e-9);
}
