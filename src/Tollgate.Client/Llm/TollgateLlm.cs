namespace Tollgate.Client.Llm;

/// <summary>Says whom the model calls in a block of code are for, so the capture handler can log them.</summary>
public static class TollgateLlm
{
    private static readonly AsyncLocal<LlmCallOwner?> Current = new();

    /// <summary>The customer and feature for calls made now, on this async flow.</summary>
    public static LlmCallOwner? Owner => Current.Value;

    /// <summary>
    /// Attributes the model calls made inside the returned scope to <paramref name="customer"/> and
    /// <paramref name="feature"/>: <c>using (TollgateLlm.For("user-42", "cv_generate")) { await openai… }</c>.
    /// </summary>
    public static IDisposable For(string customer, string? feature = null)
    {
        var previous = Current.Value;
        Current.Value = new LlmCallOwner(customer, feature);
        return new Restore(previous);
    }

    private sealed class Restore(LlmCallOwner? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}

/// <summary>Whom a model call is for.</summary>
/// <param name="Customer">The Tollgate customer.</param>
/// <param name="Feature">The feature the call serves.</param>
public sealed record LlmCallOwner(string Customer, string? Feature);
