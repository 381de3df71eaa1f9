namespace Tollgate.Core.Catalog;

public enum FeatureKind
{
    /// <summary>A gate: a plan has it or not.</summary>
    Boolean,

    /// <summary>A quota per billing period, consumed by use.</summary>
    Metered,

    /// <summary>A per-plan setting the app reads, such as data retention days or seats.</summary>
    Value,
}

public sealed record Feature(string Code, string Name, string Description, string Unit, FeatureKind Kind, bool UsesLlm = false);
