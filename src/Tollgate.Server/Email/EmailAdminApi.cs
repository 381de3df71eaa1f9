using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Server.Http;

namespace Tollgate.Server.Email;

/// <summary>The e-mail log (admin key): what was sent to whom, what failed and why, and replay of what was not sent.</summary>
public static class EmailAdminApi
{
    public static RouteGroupBuilder MapEmailAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin/emails").WithTags("E-mail").RequireAuthorization(Policies.Admin);
        group.MapGet("", ListAsync).TakesQueryValues("status", EmailStore.Statuses);
        group.MapGet("/{id}", GetAsync);
        group.MapPost("/{id}/replay", ReplayAsync).ProducesProblems(409);
        return group;
    }

    private static async Task<Results<Ok<EmailListResponse>, ProblemHttpResult>> ListAsync(
        string? status, string? customer, string? limit, string? cursor, EmailStore store, CancellationToken cancellationToken)
    {
        if (!Lists.TryRead("emails", limit, cursor, out var request, out var problem))
        {
            return problem!;
        }

        if (status is not null && !EmailStore.Statuses.Contains(status, StringComparer.Ordinal))
        {
            return Problems.Validation("status", $"must be one of {string.Join(", ", EmailStore.Statuses)}");
        }

        var page = await store.ListAsync(status, customer, request, cancellationToken);
        return TypedResults.Ok(new EmailListResponse([.. page.Items.Select(m => ToWire(m))], page.HasMore, page.NextCursor));
    }

    private static async Task<Results<Ok<EmailResponse>, ProblemHttpResult>> GetAsync(string id, EmailStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } found
            ? TypedResults.Ok(ToWire(found.Message) with
            {
                AttemptLog = [.. found.Attempts.Select(a => new EmailAttemptResponse(a.Attempt, a.At, a.SmtpStatus, a.Error, a.DurationMs))],
            })
            : Problems.NotFound("email", id);

    private static async Task<Results<Ok<EmailResponse>, ProblemHttpResult>> ReplayAsync(string id, EmailStore store, CancellationToken cancellationToken)
    {
        switch (await store.ReplayAsync(id, cancellationToken))
        {
            case EmailReplay.NotFound:
                return Problems.NotFound("email", id);
            case EmailReplay.AlreadySent:
                return Problems.Create(409, "email_already_sent", "This e-mail was sent; an event's e-mail is never sent twice.");
            case EmailReplay.StillPending:
                return Problems.Create(409, "email_pending", "This e-mail is still queued; it is sent or retried on its own.");
            default:
                return TypedResults.Ok(ToWire((await store.GetAsync(id, cancellationToken))!.Value.Message));
        }
    }

    private static EmailResponse ToWire(EmailMessage m) => new(m.Id, m.Kind, m.EventType, m.CustomerId, m.Recipient, m.ObjectId, m.Subject, m.Status,
        m.Attempts, m.NextAttemptAt, m.LastAttemptAt, m.LastError, m.SentAt, m.CreatedAt);
}

/// <summary>An e-mail as the log shows it; <see cref="AttemptLog"/> only on GET /v1/admin/emails/{id}.</summary>
public sealed record EmailResponse(
    string Id, string Kind, string Event, string Customer, string Recipient, string Object, string? Subject, string Status, int Attempts,
    DateTimeOffset? NextAttemptAt, DateTimeOffset? LastAttemptAt, string? LastError, DateTimeOffset? SentAt, DateTimeOffset CreatedAt)
{
    public IReadOnlyList<EmailAttemptResponse>? AttemptLog { get; init; }
}

public sealed record EmailAttemptResponse(int Attempt, DateTimeOffset At, int? SmtpStatus, string? Error, long DurationMs);

public sealed record EmailListResponse(IReadOnlyList<EmailResponse> Data, bool HasMore, string? NextCursor);
