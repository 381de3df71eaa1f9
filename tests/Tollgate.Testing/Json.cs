using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tollgate.Testing;

/// <summary>Small helpers for reading and sending the wire format in tests.</summary>
public static class Json
{
    public static async Task<JsonNode> ReadAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) ?? throw new InvalidOperationException("empty body");
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsync(new Uri(url, UriKind.Relative), Content(body));

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, object body) =>
        client.PutAsync(new Uri(url, UriKind.Relative), Content(body));

    public static Task<HttpResponseMessage> GetAsync(this HttpClient client, string url) =>
        client.GetAsync(new Uri(url, UriKind.Relative));

    /// <summary>Raw text goes as is (for malformed JSON tests); anything else is serialized in snake_case.</summary>
    public static StringContent Content(object body) => new(
        body as string ?? JsonSerializer.Serialize(body, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }),
        Encoding.UTF8, "application/json");

    public static string Catalog(string name) => File.ReadAllText(Path.Combine(RepoRoot(), "catalogs", name));

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "global.json")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    public static JsonNode Parse(string json) => JsonNode.Parse(json)!;

    public static T? Value<T>(this JsonNode? node) => node is null ? default : node.GetValue<T>();

    public static Task<HttpResponseMessage> PostAsJsonSnakeAsync<T>(this HttpClient client, string url, T body) =>
        client.PostAsJsonAsync(url, body, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
}
