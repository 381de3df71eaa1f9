using System.Globalization;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Email;

/// <summary>Reads the e-mail log the way an operator does, through GET /v1/admin/emails.</summary>
internal static class EmailLog
{
    public static readonly DateTimeOffset Start = new(2026, 3, 30, 0, 0, 0, TimeSpan.Zero);

    public static async Task<JsonArray> ListAsync(TollgateApp app, string query = "") =>
        (await (await app.Admin.GetAsync($"/v1/admin/emails{query}")).ReadAsync())["data"]!.AsArray();

    public static async Task<JsonNode> GetAsync(TollgateApp app, string id) => await (await app.Admin.GetAsync($"/v1/admin/emails/{id}")).ReadAsync();

    /// <summary>Waits (real time) until the log holds <paramref name="count"/> messages.</summary>
    public static Task<JsonArray> QueuedAsync(TollgateApp app, int count) =>
        RealTime.UntilAsync(() => ListAsync(app), list => list.Count >= count, list => $"the e-mail log holds {list.Count} of {count} messages");

    /// <summary>Waits (real time) until the message is settled as <paramref name="status"/> after <paramref name="attempts"/> attempts.</summary>
    public static Task<JsonNode> SettledAsync(TollgateApp app, string id, int attempts, string? status = null) =>
        RealTime.UntilAsync(() => GetAsync(app, id),
            message => message["attempts"].Value<int>() >= attempts && (status is null || message["status"].Value<string>() == status),
            message => $"e-mail {id} did not reach {attempts} attempts{(status is null ? "" : " as " + status)}: it is {message.ToJsonString()}");

    public static DateTimeOffset Instant(JsonNode? node) => DateTimeOffset.Parse(node.Value<string>()!, CultureInfo.InvariantCulture);

    /// <summary>The alerts catalog with SMTP pointed at <paramref name="smtp"/> and, if given, a notify block.</summary>
    public static Dictionary<string, string?> Settings(SmtpTestServer? smtp, string? notify = null, params (string Key, string Value)[] extra)
    {
        var catalog = notify is null ? Catalogs.Alerts : Catalogs.Alerts.Replace("\"default_plan\": \"free\",", $"\"default_plan\": \"free\", \"notify\": {notify},",
            StringComparison.Ordinal);
        var settings = ApiSetup.CatalogOf(notify is null ? "alerts" : "alerts-notify-" + Math.Abs(notify.GetHashCode(StringComparison.Ordinal)), catalog);
        foreach (var (key, value) in smtp?.Settings() ?? [])
        {
            settings[key] = value;
        }

        settings["Tollgate:Email:PollInterval"] = "00:00:00.050";
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }
}
