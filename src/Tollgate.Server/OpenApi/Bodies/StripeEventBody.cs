using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tollgate.Server.OpenApi.Bodies;

/// <summary>A Stripe event, as Stripe posts it; Tollgate reads these fields and ignores the rest.</summary>
/// <param name="Id">The event's id (evt_…); a redelivery is answered without acting twice.</param>
/// <param name="Type">Such as checkout.session.completed or invoice.paid.</param>
/// <param name="Data">The event's object.</param>
/// <param name="Created">When Stripe made it, in Unix seconds.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record StripeEventBody(string Id, string Type, StripeEventData Data, long? Created = null);

/// <summary>The object an event is about.</summary>
/// <param name="Object">The Stripe object (a checkout session, subscription, invoice, …).</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record StripeEventData(JsonElement Object);
