namespace Tollgate.Core.Llm;

/// <summary>
/// Maps the provider a call names, LiteLLM's <c>litellm_provider</c> values and the first segment of a prefixed price
/// row to one family, so "azure_openai", "azure" and "azure/gpt-4o" meet, and "vertex_ai-language-models" is "vertex_ai".
/// </summary>
public static class LlmProviders
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["azure_openai"] = "azure", ["azure-openai"] = "azure", ["azureopenai"] = "azure", ["azure_text"] = "azure",
        ["google"] = "gemini", ["google_ai_studio"] = "gemini", ["google-ai-studio"] = "gemini", ["gemini"] = "gemini",
        ["vertex"] = "vertex_ai", ["vertexai"] = "vertex_ai", ["vertex-ai"] = "vertex_ai", ["google_vertex"] = "vertex_ai",
        ["google-vertex"] = "vertex_ai", ["aws"] = "bedrock", ["aws_bedrock"] = "bedrock", ["amazon_bedrock"] = "bedrock",
        ["amazon-bedrock"] = "bedrock", ["bedrock_converse"] = "bedrock", ["together"] = "together_ai", ["fireworks"] = "fireworks_ai",
        ["x-ai"] = "xai", ["x_ai"] = "xai", ["grok"] = "xai", ["mistralai"] = "mistral", ["cohere_chat"] = "cohere",
    };

    /// <summary>The family of a provider name: lower case, an alias resolved, LiteLLM's "-…-models" and "text-completion-" dropped.</summary>
    public static string Family(string provider)
    {
        var name = provider.Trim().ToLowerInvariant();
        if (name.StartsWith("text-completion-", StringComparison.Ordinal))
        {
            name = name["text-completion-".Length..];
        }

        if (Aliases.TryGetValue(name, out var alias))
        {
            return alias;
        }

        var dash = name.IndexOf('-', StringComparison.Ordinal);
        var head = dash > 0 ? name[..dash] : name;
        return Aliases.TryGetValue(head, out var headAlias) ? headAlias : head;
    }
}
