using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Json;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;
using Tollgate.Server.Entitlements;

namespace Tollgate.Server.Events;

/// <summary>After-the-fact usage: counted, never denied, deduplicated by id; one bad event does not reject the batch.</summary>
public static class EventsApi
{
    public const int MaxEvents = 1000;

    public static RouteGroupBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/events").WithTags("Events").RequireAuthorization(Policies.Secret);
        group.MapPost("/", TrackAsync).AcceptsOneOf(typeof(UsageEventBatch), typeof(PropertyEventBatch));
        return group;
    }

    private static async Task<Results<Ok<TrackResponse>, ProblemHttpResult>> TrackAsync(
        TrackRequest request, EventStore events, MetricEventStore metricEvents, CatalogCache catalog, TimeProvider time,
        IOptions<EventOptions> lateDays, CancellationToken cancellationToken)
    {
        if (request.Events.Count > MaxEvents)
        {
            return Problems.Validation("events", $"must have at most {MaxEvents} items; send the rest in another request");
        }

        var snapshot = await catalog.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var withProperties = new List<MetricEvent>();
        for (var i = 0; i < request.Events.Count; i++)
        {
            if (PropertyEvents.IsPropertyForm(request.Events[i]) && PropertyEvents.Parse(i, request.Events[i], snapshot, now, errors) is { } parsed)
            {
                withProperties.Add(parsed);
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var valid = new List<TrackedEvent>();
        var rejected = new List<RejectedEvent>();
        for (var i = 0; i < request.Events.Count; i++)
        {
            if (PropertyEvents.IsPropertyForm(request.Events[i]))
            {
                continue;
            }

            var (parsed, id, reason) = Parse(i, request.Events[i], snapshot, now);
            if (parsed is null)
            {
                rejected.Add(new RejectedEvent(i, id, reason!));
            }
            else
            {
                valid.Add(parsed);
            }
        }

        // Events with properties first: one too late refuses the request before the feature form writes anything.
        var metered = await metricEvents.TrackAsync(withProperties, snapshot.Metrics, cancellationToken);
        if (metered.TooLate.Count > 0)
        {
            return TooLate(metered.TooLate, lateDays.Value.LateDays);
        }

        var result = await events.TrackAsync(valid, cancellationToken);
        rejected.AddRange(result.Rejected.Concat(metered.Rejected).Select(r => new RejectedEvent(r.Index, r.Id, r.Reason)));
        return TypedResults.Ok(new TrackResponse(result.Accepted + metered.Accepted, [.. result.Duplicates, .. metered.Duplicates],
            [.. rejected.OrderBy(r => r.Index)]));
    }

    /// <summary>400 event_too_late naming each late event's timestamp and when its window closed.</summary>
    private static ProblemHttpResult TooLate(IReadOnlyList<(int Index, DateTimeOffset ClosedAt)> late, int lateDays)
    {
        var errors = late.ToDictionary(l => $"events[{l.Index}].timestamp", l => string.Create(CultureInfo.InvariantCulture,
            $"lies in a quota window that closed at {l.ClosedAt:yyyy-MM-ddTHH:mm:ssZ}, more than {lateDays} days ago (Tollgate:Events:LateDays); nothing was written"));
        return Problems.Create(StatusCodes.Status400BadRequest, "event_too_late", string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")),
            new Dictionary<string, object?> { ["errors"] = errors });
    }

    private static (TrackedEvent? Event, string? Id, string? Reason) Parse(int index, JsonElement element, CatalogSnapshot catalog, DateTimeOffset now)
    {
        var problems = new List<DocumentProblem>();
        var r = new ElementReader(element, "", problems, "id", "customer", "feature", "amount", "timestamp", "properties", "metadata");
        var id = r.String("id", required: true, 255);
        var customer = r.String("customer", required: true, 255);
        var feature = r.String("feature", required: true, 64);
        // The amount rule and words consume uses, so an event's refusal reads as a consume's would.
        var (amount, badAmount) = r.Raw("amount") is { } sent ? Validate.Amount(sent) : (1, null);
        if (badAmount is not null)
        {
            problems.Add(new DocumentProblem("amount", badAmount));
        }

        var timestampText = r.String("timestamp", required: false, 64);
        var properties = r.Raw("properties");
        var (metadata, badMetadata) = UsageMetadata.Read(r.Raw("metadata"));
        if (badMetadata is { } bad)
        {
            problems.Add(new DocumentProblem(bad.Field, bad.Problem));
        }

        DateTimeOffset timestamp = now;
        if (timestampText is not null)
        {
            try
            {
                timestamp = JsonSerializer.Deserialize<DateTimeOffset>(JsonSerializer.Serialize(timestampText), JsonConfig.Create());
            }
            catch (JsonException e)
            {
                problems.Add(new DocumentProblem("timestamp", e.Message));
            }
        }

        if (properties is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            problems.Add(new DocumentProblem("properties", "must be an object"));
        }

        if (customer is not null && Validate.Id(customer) is { } badCustomer)
        {
            problems.Add(new DocumentProblem("customer", badCustomer));
        }

        if (feature is not null && catalog.Feature(feature) is not { } known)
        {
            problems.Add(new DocumentProblem("feature", $"no feature '{feature}' in the catalog"));
        }
        else if (feature is not null && catalog.Feature(feature)!.Kind != FeatureKind.Metered)
        {
            problems.Add(new DocumentProblem("feature", $"'{feature}' is not metered; only metered features take usage events"));
        }

        if (problems.Count > 0)
        {
            return (null, id, string.Join("; ", problems));
        }

        var props = properties is { ValueKind: JsonValueKind.Object } p ? p.GetRawText() : null;
        return (new TrackedEvent(index, id!, customer!, feature!, amount!.Value, timestamp, props, UsageMetadata.ToJson(metadata)), id, null);
    }
}
