namespace Tollgate.Server.Http;

/// <summary>Bound from the Tollgate configuration section (Tollgate__X__Y in the environment).</summary>
public sealed class TollgateOptions
{
    public const string Section = "Tollgate";
    public const string DefaultUrl = "http://localhost:5080";
    public const long MaxBodyBytes = 1024 * 1024;

    public CatalogSeedOptions Catalog { get; set; } = new();
}

public sealed class CatalogSeedOptions
{
    /// <summary>Loaded on first start when the catalog is empty: empty means the embedded career coach's, "none" loads nothing.</summary>
    public string? SeedFile { get; set; }
}
