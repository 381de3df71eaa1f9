using System.Reflection;

namespace Tollgate.Server.Web;

/// <summary>The pages' stylesheet, scripts and icon, embedded in the server so the first command serves them with no build step.</summary>
public static class Assets
{
    private static readonly Dictionary<string, (byte[] Bytes, string ContentType)> Files = Load();

    public static IEndpointRouteBuilder MapAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet("/assets/{name}", (string name, HttpContext http) =>
        {
            if (!Files.TryGetValue(name, out var file))
            {
                return Results.NotFound();
            }

            http.Response.Headers.CacheControl = "public, max-age=300";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.Bytes(file.Bytes, file.ContentType);
        }).ExcludeFromDescription();
        // Browsers ask for /favicon.ico before they read any page; it is the same neutral icon the pages link to.
        app.MapGet("/favicon.ico", (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=86400";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.Bytes(Files["favicon.svg"].Bytes, Files["favicon.svg"].ContentType);
        }).ExcludeFromDescription();
        app.MapMethods("/pricing/embed.js", [HttpMethods.Get, HttpMethods.Head], (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=300";
            http.Response.Headers.AccessControlAllowOrigin = "*";
            return Results.Bytes(Files["embed.js"].Bytes, Files["embed.js"].ContentType);
        }).ExcludeFromDescription();
        return app;
    }

    private static Dictionary<string, (byte[], string)> Load()
    {
        var assembly = typeof(Assets).Assembly;
        const string prefix = "Tollgate.Server.Web.Assets.";
        return assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(
            n => n[prefix.Length..],
            n => (Read(assembly, n), ContentType(n)),
            StringComparer.Ordinal);
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "text/javascript; charset=utf-8",
    };

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
