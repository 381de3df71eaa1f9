using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Core.Time;
using Tollgate.Server.Http;

namespace Tollgate.Server.Clock;

/// <summary>The test clock: read it, or move it forward and run all work that falls due on the way, in order.</summary>
public static class ClockApi
{
    public sealed record ClockResponse(DateTimeOffset Now, int StepsRun);

    public sealed record AdvanceRequest(DateTimeOffset? To = null, long? Seconds = null);

    public static RouteGroupBuilder MapClock(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin/clock").WithTags("Test clock").RequireAuthorization(Policies.Admin);
        group.MapGet("/", (TimeProvider time) => TypedResults.Ok(new ClockResponse(time.GetUtcNow(), 0)));
        group.MapPost("/advance", AdvanceAsync);
        return group;
    }

    private const long MaxAdvanceSeconds = 20L * 366 * 86_400;

    private static async Task<Results<Ok<ClockResponse>, ProblemHttpResult>> AdvanceAsync(
        AdvanceRequest? request, TimeProvider time, DueWork work, CancellationToken cancellationToken)
    {
        request ??= new AdvanceRequest(); // no body at all is answered like an empty object: by the check below
        var clock = (ManualClock)time;
        var now = clock.GetUtcNow();
        if ((request.To is null) == (request.Seconds is null))
        {
            return Problems.Validation("to", "send exactly one of to or seconds");
        }

        if (request.Seconds is < 0 or > MaxAdvanceSeconds)
        {
            return Problems.Validation("seconds", "must be from 0 to about 20 years");
        }

        var target = request.To ?? now.AddSeconds(request.Seconds!.Value);
        if (target < now)
        {
            return Problems.Validation("to", $"is before the clock ({now:yyyy-MM-dd'T'HH:mm:ss'Z'}); time never moves back");
        }

        // One call runs every renewal on the way, so a far target would hold the request for hours: the same bound as seconds.
        if (target > now.AddSeconds(MaxAdvanceSeconds))
        {
            return Problems.Validation("to", $"must be at most about 20 years after the clock ({now:yyyy-MM-dd'T'HH:mm:ss'Z'})");
        }

        var steps = 0;
        // Step through each instant where work falls due, so it runs at that instant and in order.
        while (await work.NextDueAsync(cancellationToken) is { } due && due <= target)
        {
            if (due > clock.GetUtcNow())
            {
                clock.SetUtcNow(due);
            }

            var ran = await work.RunAsync(cancellationToken);
            steps += ran;
            if (ran == 0 && due <= clock.GetUtcNow() && await work.NextDueAsync(cancellationToken) == due)
            {
                break; // nothing could move: stop rather than spin
            }
        }

        clock.SetUtcNow(target);
        steps += await work.RunAsync(cancellationToken);
        return TypedResults.Ok(new ClockResponse(clock.GetUtcNow(), steps));
    }
}
