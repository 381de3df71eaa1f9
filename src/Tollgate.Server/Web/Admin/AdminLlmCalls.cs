using Tollgate.Server.Http;
using Tollgate.Server.Llm;

namespace Tollgate.Server.Web.Admin;

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
        problem ??= ConsoleLists.Read("llm_calls", limit, cursor, out pageRequest);

        (string, string?)[] filters = [("customer", customer), ("feature", feature), ("model", model), ("provider", provider), ("from", from), ("to", to),
            ("limit", limit)];
        var found = problem is null
            ? await log.PageAsync(new LlmCallFilter(customer, feature, model, provider, range.From, range.To), pageRequest, cancellationToken)
            : null;
        return AdminLayout.Page<LlmCallsPage>(http, new
        {
            User = user,
            data.Product,
            View = new LlmCallsView(filters.ToDictionary(f => f.Item1, f => f.Item2, StringComparer.Ordinal), KeepLimit: problem is null, problem, found,
                cursor is null, filters),
        }, status: problem is null ? 200 : 400);
    }

    private static string? Trimmed(string? value) => FormText.Blank(value)?.Trim();
}

/// <summary>The call log as shown: the filters as typed, and the page found or the problem that stopped the list.</summary>
public sealed record LlmCallsView(
    IReadOnlyDictionary<string, string?> Values, bool KeepLimit, string? Problem, Storage.Database.Page<LoggedLlmCall>? Found, bool OnFirst,
    (string Key, string? Value)[] Filters);
