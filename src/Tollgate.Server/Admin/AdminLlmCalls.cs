using System.Globalization;
using System.Text;
using Tollgate.Core.Llm;
using Tollgate.Server.Http;
using Tollgate.Storage.Llm;
using static Tollgate.Server.Web.Html;

namespace Tollgate.Server.Admin;

/// <summary>The console's LLM call log: the rows, filters and keyset pages of <c>GET /v1/llm/calls</c>, newest first.</summary>
public static class AdminLlmCalls
{
    private const int MaxDays = 366;

    public static RouteGroupBuilder MapAdminLlmCalls(this RouteGroupBuilder group)
    {
        group.MapGet("/llm-calls", ListAsync);
        return group;
    }

    /// <summary>from and to are ISO 8601 instants or dates, as in the API: from included, to excluded.</summary>
    private static async Task<IResult> ListAsync(
        HttpContext http, string? customer, string? feature, string? model, string? provider, string? from, string? to, string? limit, string? cursor,
        AdminData data, LlmCallLog log, CancellationToken cancellationToken)
    {
        if (await data.Session.CurrentAsync(http, cancellationToken) is not { } user)
        {
            return AdminLayout.SignIn();
        }

        (customer, feature, model, provider, from, to) = (Trimmed(customer), Trimmed(feature), Trimmed(model), Trimmed(provider), Trimmed(from), Trimmed(to));
        var errors = InstantRange.TryParse(from, to, MaxDays, out var range);
        if (customer is not null && Validate.Id(customer) is { } bad)
        {
            errors["customer"] = bad;
        }

        var problem = errors.Count > 0 ? string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")) : null;
        var pageRequest = Storage.Database.PageRequest.First;
        problem ??= ConsoleLists.Read(limit, cursor, out pageRequest);

        (string, string?)[] filters = [("customer", customer), ("feature", feature), ("model", model), ("provider", provider), ("from", from), ("to", to),
            ("limit", limit)];
        var page = new StringBuilder("<h1>LLM calls</h1>").Append(Form(filters, keepLimit: problem is null));
        if (problem is not null)
        {
            page.Append(ConsoleLists.Refusal(problem));
            return AdminLayout.Page(http, user, "/admin/llm-calls", "LLM calls", page.ToString(), data.Product, status: 400);
        }

        var found = await log.PageAsync(new LlmCallFilter(customer, feature, model, provider, range.From, range.To), pageRequest, cancellationToken);
        page.Append(CultureInfo.InvariantCulture, $"""
            <p class="muted" data-testid="shown">{found.Items.Count} shown, newest first{(found.HasMore ? "; more on the next page" : "")}.</p>
            <div class="table-scroll"><table><thead><tr><th scope="col">When (UTC)</th><th scope="col">Customer</th><th scope="col">Feature</th>
            <th scope="col">Model</th><th scope="col" class="num">Input</th><th scope="col" class="num">Output</th><th scope="col" class="num">Cached</th>
            <th scope="col" class="num">Cost</th><th scope="col">Price</th><th scope="col">Plan</th></tr></thead><tbody>
            """);
        foreach (var c in found.Items)
        {
            page.Append(CultureInfo.InvariantCulture, $"""
                <tr data-call="{E(c.RequestId)}"><td>{E(c.OccurredAt.UtcDateTime.ToString("MMM d, yyyy HH:mm:ss", CultureInfo.InvariantCulture))}</td>
                <td><a href="/admin/customers/{Uri.EscapeDataString(c.CustomerId)}">{E(c.CustomerId)}</a></td><td>{E(c.FeatureCode ?? "–")}</td>
                <td>{E(c.Model)}{(c.Provider is { } p ? $"<br><span class=\"muted\">{E(p)}</span>" : "")}</td>
                <td class="num">{c.InputTokens:N0}</td><td class="num">{c.OutputTokens:N0}</td><td class="num">{c.CachedInputTokens:N0}</td>
                <td class="num">{(c.Unpriced ? "<span class=\"badge warn\">unpriced</span>" : E(ConsoleMoney.Usd(NanoUsdAmount.ToUsd(c.CostNano))))}</td>
                <td>{E(c.PriceId ?? "–")}</td><td>{E(c.PlanCode ?? "–")}</td></tr>
                """);
        }

        page.Append(found.Items.Count == 0 ? "<tr><td colspan=\"10\" class=\"muted\">No calls match.</td></tr>" : "").Append("</tbody></table></div>");
        page.Append(ConsoleLists.Pager(found, cursor is null, "/admin/llm-calls", filters));
        return AdminLayout.Page(http, user, "/admin/llm-calls", "LLM calls", page.ToString(), data.Product);
    }

    /// <summary>The filter form; the page size rides along unless it was the refused parameter.</summary>
    private static string Form((string Key, string? Value)[] filters, bool keepLimit)
    {
        var value = filters.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        string Field(string key, string label, string hint) =>
            $"<label>{E(label)}<input id=\"{key}\" name=\"{key}\" value=\"{E(value[key])}\" placeholder=\"{E(hint)}\"></label>";
        return $"""
            <form method="get" action="/admin/llm-calls" class="card grid" role="search">
              {Field("customer", "Customer", "any customer")}{Field("feature", "Feature", "any feature")}{Field("model", "Model", "any model")}
              {Field("provider", "Provider", "any provider")}{Field("from", "From (UTC)", "YYYY-MM-DD")}{Field("to", "To, excluded (UTC)", "YYYY-MM-DD")}
              {(keepLimit && value["limit"] is { } limit ? $"<input type=\"hidden\" name=\"limit\" value=\"{E(limit)}\">" : "")}
              <div class="row"><button type="submit">Filter</button><a href="/admin/llm-calls">Clear</a></div>
            </form>
            """;
    }

    private static string? Trimmed(string? value) => FormText.Blank(value)?.Trim();
}
