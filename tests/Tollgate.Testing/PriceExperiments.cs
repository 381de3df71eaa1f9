using Tollgate.Core.Experiments;

namespace Tollgate.Testing;

/// <summary>A running price experiment on pro monthly (control at the catalog's price, "cheaper" at $24.99) and visitors in its arms.</summary>
public static class PriceExperiments
{
    /// <summary>The arms as assignment sees them: only keys and weights decide where a visitor lands.</summary>
    public static readonly IReadOnlyList<ExperimentVariant> Arms = [new("control", 1, []), new("cheaper", 1, [])];

    /// <summary>Creates the experiment through the admin API, as a draft; its id.</summary>
    public static async Task<string> DraftExperimentAsync(this TollgateApp app, string name = "Pro at $24.99") =>
        (await (await app.Admin.PostJsonAsync("/v1/admin/experiments", new
        {
            name,
            variants = new object[]
            {
                new { key = "control", weight = 1 },
                new { key = "cheaper", weight = 1, prices = new object[] { new { plan = "pro", billing_period = "monthly", price_cents = 2499 } } },
            },
        })).ReadAsync())["id"].Value<string>()!;

    /// <summary>Creates and starts the experiment through the admin API; its id.</summary>
    public static async Task<string> RunningExperimentAsync(this TollgateApp app)
    {
        var id = await app.DraftExperimentAsync();
        (await app.Admin.PostAsync($"/v1/admin/experiments/{id}/start", null)).EnsureSuccessStatusCode();
        return id;
    }

    /// <summary>The first of visitor-0, visitor-1, … that the experiment assigns to <paramref name="variant"/>.</summary>
    public static string Visitor(string experiment, string variant) =>
        Enumerable.Range(0, 1000).Select(i => $"visitor-{i}").First(v => VariantAssignment.Assign(experiment, v, Arms).Key == variant);
}
