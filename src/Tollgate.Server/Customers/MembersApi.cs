using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Core.Customers;
using Tollgate.Server.Http;

namespace Tollgate.Server.Customers;

/// <summary>An organisation's members: people whose entitlement calls use the organisation's quotas and take its seats.</summary>
public static class MembersApi
{
    public static RouteGroupBuilder MapMembers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/customers/{customer}/members").WithTags("Customers").RequireAuthorization(Policies.Secret);
        group.MapPut("/{member}", UpsertAsync).ProducesProblems(402, 404, 409);
        group.MapDelete("/{member}", DeleteAsync).ProducesProblems(404);
        group.MapGet("", ListAsync).ProducesProblems(404);
        return group;
    }

    public static MemberResponse ToWire(Member m) => new(m.Id, m.CustomerId, m.Email, m.Name, m.Role, m.CreatedAt, m.UpdatedAt);

    private static async Task<Results<Ok<MemberResponse>, Created<MemberResponse>, ProblemHttpResult>> UpsertAsync(
        string customer, string member, UpsertMemberRequest request, MemberStore members, CancellationToken cancellationToken)
    {
        var errors = Validate.Errors(
            ("customer", Validate.Id(customer)),
            ("member", Validate.Id(member) ?? (member == customer ? "must differ from the customer's id" : null)),
            ("email", request.Email is { Length: > 320 } || request.Email is { } e && !e.Contains('@', StringComparison.Ordinal)
                ? "must be an email address of at most 320 characters" : null),
            ("name", request.Name is { Length: > 500 } ? "must be at most 500 characters" : null),
            ("role", request.Role is null || Validate.Id(request.Role) is null && request.Role.Length <= 64 ? null : "must be 1-64 characters of letters, digits and . _ -"));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var (outcome, stored) = await members.UpsertAsync(customer, member, request.Email, request.Name, request.Role ?? "member", cancellationToken);
        return outcome switch
        {
            MemberWrite.Created => TypedResults.Created($"/v1/customers/{customer}/members/{member}", ToWire(stored!)),
            MemberWrite.Updated => TypedResults.Ok(ToWire(stored!)),
            MemberWrite.SeatsExhausted => Problems.Create(402, "seats_exhausted",
                $"Every seat of '{customer}' is taken: add seats to the subscription (POST /v1/subscriptions/{{id}}/seats) or remove a member first.",
                new Dictionary<string, object?> { ["customer"] = customer, ["seats"] = await members.CountAsync(customer, cancellationToken) }),
            MemberWrite.IdTaken => Problems.Create(409, "member_id_taken",
                $"'{member}' is already the id of a customer or of another organisation's member; member ids are unique across the installation."),
            _ => Problems.NotFound("customer", customer),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string customer, string member, MemberStore members, CancellationToken cancellationToken) =>
        await members.DeleteAsync(customer, member, cancellationToken) switch
        {
            MemberWrite.Updated => TypedResults.NoContent(),
            MemberWrite.CustomerNotFound => Problems.NotFound("customer", customer),
            _ => Problems.NotFound("member", member),
        };

    private static async Task<Results<Ok<MemberList>, ProblemHttpResult>> ListAsync(
        string customer, string? limit, string? cursor, MemberStore members, CustomerStore customers, CancellationToken cancellationToken)
    {
        if (!Lists.TryRead("members", limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        if (await customers.GetAsync(customer, cancellationToken) is null)
        {
            return Problems.NotFound("customer", customer);
        }

        var found = await members.ListAsync(customer, page, cancellationToken);
        return TypedResults.Ok(new MemberList([.. found.Items.Select(ToWire)], found.HasMore, found.NextCursor));
    }
}
