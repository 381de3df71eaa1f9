namespace Tollgate.Server.Webhooks;

/// <summary>Bound from Tollgate:Webhooks.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Tollgate:Webhooks";

    /// <summary>
    /// Lets endpoints resolve to loopback, private, link-local and other internal addresses. Off by default, so a
    /// webhook URL cannot be used to reach services inside the network Tollgate runs in.
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>How often each node looks for deliveries that are due.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one attempt may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries a node sends at once.</summary>
    public int MaxConcurrency { get; set; } = 8;
}
