using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Customers;

/// <summary>The GDPR export is one document whatever the store: the same history gives the same JSON on SQLite and PostgreSQL.</summary>
public sealed partial class CustomerExportParityTests
{
    [Fact]
    public async Task TheSameHistoryGivesTheSameExportOnBothStores()
    {
        var sqlite = await ExportAfterHistoryAsync(StoreKind.Sqlite);
        var postgres = await ExportAfterHistoryAsync(StoreKind.Postgres);

        Assert.Equal(Normalised(sqlite).ToJsonString(), Normalised(postgres).ToJsonString());
    }

    private static async Task<JsonNode> ExportAfterHistoryAsync(StoreKind kind)
    {
        await using var app = await TollgateApp.StartAsync(kind, ApiSetup.LlmCatalog());
        await app.Admin.PutJsonAsync("/v1/customers/ada", new
        {
            email = "ada@lovelace.example", name = "Ada Lovelace", metadata = new { phone = "+44 20 7946 0000" },
            address = new { line1 = "12 St James's Square", city = "London", postal_code = "SW1Y 4JH", country = "GB" },
            tax_ids = new[] { new { type = "gb_vat", value = "GB111222333" } },
        });
        await app.Admin.PutJsonAsync("/v1/customers/ada/members/charles", new { email = "charles@babbage.example", name = "Charles Babbage" });
        await app.SubscribeAsync("ada", "pro");
        await app.ConsumeAsync("ada", "chat", 3);
        await app.Admin.PostJsonAsync("/v1/events", new
        {
            events = new[] { new { id = "e1", customer = "ada", feature = "export", amount = 2, properties = new { file = "ada-taxes.csv" } } },
        });
        await app.Admin.PostJsonAsync("/v1/llm/usage", new
        {
            customer = "ada", feature = "chat", model = "gpt-4o-mini", input_tokens = 1000, output_tokens = 500, request_id = "r1",
            metadata = new { prompt_owner = "ada" },
        });
        await app.Admin.PostJsonAsync("/v1/llm/usage", new
        {
            customer = "charles", feature = "chat", model = "no-such-model", input_tokens = 10, output_tokens = 5, request_id = "r2",
        });
        // The e-mail dispatcher settles the welcome and invoice mails in the background (skipped: no SMTP here): export
        // once it has, or the two stores' exports differ by when it ran, not by what they hold.
        for (var wait = 0; ; wait++)
        {
            var export = await (await app.Admin.GetAsync("/v1/customers/ada/export")).ReadAsync();
            var pending = export["email_messages"]?.AsArray().Any(m => m?["status"]?.GetValue<string>() == "pending") == true;
            if (!pending || wait == 300)
            {
                return export;
            }

            await Task.Delay(100);
        }
    }

    // Generated ids and the instants the database stamps differ from run to run; everything else must not.
    private static JsonNode Normalised(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                {
                    o[key] = value is null ? null : Normalised(value.DeepClone());
                }

                return o;
            case JsonArray a:
                var items = a.Select(i => i is null ? null : Normalised(i.DeepClone())).ToList();
                a.Clear();
                items.ForEach(a.Add);
                return a;
            case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String && v.GetValue<string>() is var text
                && (GeneratedId().IsMatch(text) || Instant().IsMatch(text)):
                // Whole ids and instants, and ids inside a key ("invoice_issued:in_01…", an e-mail's idempotency key).
                return JsonValue.Create(Instant().IsMatch(text) ? "…" : GeneratedId().Replace(text, "…"))!;
            default:
                return node;
        }
    }

    [GeneratedRegex(@"\b[a-z]+_[0-9a-z]{20,}\b")]
    private static partial Regex GeneratedId();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")]
    private static partial Regex Instant();
}
