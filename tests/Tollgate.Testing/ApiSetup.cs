using System.Net;

namespace Tollgate.Testing;

/// <summary>Setup steps API tests share: a customer, a subscription, the rules catalog.</summary>
public static class ApiSetup
{
    /// <summary>Creates the customer with the address <c>{id}@example.com</c> unless the test names one.</summary>
    public static async Task CustomerAsync(this TollgateApp app, string id, string? email = null)
    {
        var response = await app.Admin.PutJsonAsync($"/v1/customers/{id}", new { email = email ?? $"{id}@example.com" });
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
        {
            throw new InvalidOperationException($"customer {id}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public static async Task<string> SubscribeAsync(
        this TollgateApp app, string customer, string plan, string period = "monthly", int? trialDays = null, string? collection = null)
    {
        var response = await app.Admin.PostJsonAsync("/v1/subscriptions",
            new { customer, plan, billing_period = period, trial_days = trialDays, collection_method = collection });
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"subscribe {customer}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.ReadAsync())["id"].Value<string>()!;
    }

    public static Dictionary<string, string?> RulesCatalog(string? extraKey = null, string? extraValue = null) =>
        Seed("rules", Catalogs.Rules, extraKey, extraValue);

    public static Dictionary<string, string?> BillingCatalog(string? extraKey = null, string? extraValue = null) =>
        Seed("billing", Catalogs.Billing, extraKey, extraValue);

    public static Dictionary<string, string?> LlmCatalog(string? extraKey = null, string? extraValue = null) =>
        Seed("llm", Catalogs.Llm, extraKey, extraValue);

    public static Dictionary<string, string?> PaymentsCatalog() => Seed("payments", Catalogs.Payments, null, null);

    /// <summary>Settings that seed a catalog a test suite defines for itself.</summary>
    public static Dictionary<string, string?> CatalogOf(string name, string catalog) => Seed(name, catalog, null, null);
    /// <summary>The alerts catalog, with webhooks allowed to the test's own loopback receiver and polled often.</summary>
    public static Dictionary<string, string?> AlertsCatalog(bool allowPrivateTargets = true)
    {
        var settings = Seed("alerts", Catalogs.Alerts, "Tollgate:Webhooks:AllowPrivateTargets", allowPrivateTargets ? "true" : "false");
        settings["Tollgate:Webhooks:PollInterval"] = "00:00:00.050";
        settings["Tollgate:Webhooks:Timeout"] = "00:00:02";
        return settings;
    }

    private static Dictionary<string, string?> Seed(string name, string catalog, string? extraKey, string? extraValue)
    {
        // One file per content: tests that run at once and give one name different catalogs each read their own, and a
        // file is renamed into place whole, so a server starting meanwhile never reads one half written.
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(catalog)))[..16];
        var path = Path.Combine(Path.GetTempPath(), $"tollgate-{name}-catalog-{Environment.ProcessId}-{hash}.json");
        if (!File.Exists(path))
        {
            var partial = $"{path}.{Guid.NewGuid():N}";
            File.WriteAllText(partial, catalog);
            File.Move(partial, path, overwrite: true);
        }

        var settings = new Dictionary<string, string?> { ["Tollgate:Catalog:SeedFile"] = path };
        if (extraKey is not null)
        {
            settings[extraKey] = extraValue;
        }

        return settings;
    }

    /// <summary>The customer's invoices, oldest first.</summary>
    public static async Task<List<System.Text.Json.Nodes.JsonNode>> InvoicesAsync(this TollgateApp app, string customer)
    {
        var list = await app.Admin.ReadAllAsync($"/v1/customers/{customer}/invoices");
        return [.. list.Select(i => i!).Reverse()];
    }

    public static async Task<System.Text.Json.Nodes.JsonNode> SubscriptionAsync(this TollgateApp app, string id) =>
        await (await app.Admin.GetAsync($"/v1/subscriptions/{id}")).ReadAsync();

    public static Task<HttpResponseMessage> ConsumeAsync(this TollgateApp app, string customer, string feature, long amount = 1, string? key = null) =>
        app.Admin.PostJsonAsync("/v1/entitlements/consume", key is null
            ? new { customer, feature, amount }
            : (object)new { customer, feature, amount, idempotency_key = key });
}
