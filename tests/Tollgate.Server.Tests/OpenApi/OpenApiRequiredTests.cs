using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.OpenApi;

/// <summary>
/// The document's required request fields are the ones the server refuses a body without: an empty JSON object sent to
/// every operation that takes one answers 400 naming exactly its schema's required fields.
/// </summary>
public sealed class OpenApiRequiredTests(ServedDocument served) : IClassFixture<ServedDocument>
{
    private static readonly HashSet<(string Schema, string Field)> EitherOr =
        [("ApplyDiscountRequest", "promotion_code"), ("CreateCreditNoteRequest", "amount_cents")];

    [Fact]
    public async Task AnEmptyBodyIsRefusedNamingExactlyTheFieldsTheDocumentRequires()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, ApiSetup.LlmCatalog());
        await app.CustomerAsync("buyer");
        await app.SubscribeAsync("buyer", "pro");
        // A credit note's lines are judged against its invoice, so an unknown one is a 404 before the body is read.
        var invoice = (await app.InvoicesAsync("buyer"))[0]["id"].Value<string>();
        var compared = new List<string>();
        var mismatches = new List<string>();
        foreach (var (path, method, operation) in served.Operations)
        {
            if (operation["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>() is not { } reference)
            {
                continue;
            }

            var name = reference.Replace("#/components/schemas/", "", StringComparison.Ordinal);
            var n = 0;
            var url = path == "/v1/invoices/{id}/credit-notes" ? $"/v1/invoices/{invoice}/credit-notes"
                : System.Text.RegularExpressions.Regex.Replace(path, "{[^}]+}", _ => $"x{++n}");
            using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url)
            {
                Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
            };
            var response = await app.Admin.SendAsync(request);
            // A validation problem names every field at once; invalid_json (the serializer's own required members) names the
            // first it meets, so it says nothing about the set.
            var problem = await response.ReadAsync();
            if (response.StatusCode != HttpStatusCode.BadRequest || problem["error"]?.GetValue<string>() != "validation_failed"
                || problem["errors"] is not JsonObject errors)
            {
                continue;
            }

            // "body" names the body as a whole; a field one of two may fill (a coupon or a promotion code, lines or an amount) is
            // named but not required.
            var refused = errors.Select(e => e.Key)
                .Where(k => k != "body" && !k.Contains('.', StringComparison.Ordinal) && !k.Contains('[', StringComparison.Ordinal))
                .Where(k => !EitherOr.Contains((name, k)))
                .Order(StringComparer.Ordinal).ToList();
            var required = (served.Schemas[name]!["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? []).Order(StringComparer.Ordinal).ToList();
            compared.Add(name);
            if (!refused.SequenceEqual(required))
            {
                mismatches.Add($"{method} {path} {name}: refused [{string.Join(", ", refused)}], required [{string.Join(", ", required)}]");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.Contains("CreateExperimentRequest", compared);
        Assert.Contains("CreateTaxRateRequest", compared);
        Assert.Contains("SellPackRequest", compared);
        Assert.Contains("CreateCreditNoteRequest", compared);
        Assert.True(compared.Count >= 6, $"only {compared.Count} bodies compared: {string.Join(", ", compared)}");
    }
}
