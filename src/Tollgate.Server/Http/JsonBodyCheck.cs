using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Tollgate.Server.Http;

/// <summary>
/// Reads a JSON request body once (<see cref="InputCheck"/> does, before any endpoint): text that is not JSON, a string
/// that is not valid Unicode (a lone UTF-16 surrogate) or a property named twice in one object is a 400
/// <c>invalid_json</c> naming where, and a string holding the NUL character (which PostgreSQL's text cannot hold) a 400
/// <c>validation_failed</c> naming it, whichever endpoint it was sent to.
/// </summary>
public static class JsonBodyCheck
{
    /// <summary>What is wrong with the JSON text, naming the field, or null when it is well formed.</summary>
    public static JsonBodyProblem? Problem(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        var scopes = new List<Scope>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        Advance(scopes);
                        scopes.Add(new Scope(reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        scopes.RemoveAt(scopes.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        if (!TryText(ref reader, out var name))
                        {
                            return JsonBodyProblem.Invalid(PathOf(scopes), $"has a property name that {NotUnicode}");
                        }

                        if (name.Contains('\0', StringComparison.Ordinal))
                        {
                            return JsonBodyProblem.Refused(PathOf(scopes), $"has a property name that {InputCheck.HoldsNul}");
                        }

                        scopes[^1].Name = name;
                        if (!scopes[^1].Names!.Add(name))
                        {
                            return JsonBodyProblem.Invalid(PathOf(scopes), "appears more than once in the same object");
                        }

                        break;
                    case JsonTokenType.String:
                        Advance(scopes);
                        if (!TryStorable(ref reader, scopes, out var notStorable))
                        {
                            return notStorable;
                        }

                        break;
                    default:
                        Advance(scopes);
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            var cut = e.Message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            return new JsonBodyProblem("body", $"The body is not valid JSON: {(cut > 0 ? e.Message[..cut] : e.Message)} (at byte {reader.BytesConsumed}).",
                IsValidJson: false);
        }

        return null;
    }

    private const string NotUnicode = "is not valid Unicode text (a lone UTF-16 surrogate such as \\ud800, or bytes that are not UTF-8)";

    /// <summary>
    /// Whether a string value decodes, without NUL (which PostgreSQL's text cannot hold, so no store takes it); unescaped
    /// text is checked in place, without allocating it, as JSON allows NUL only escaped.
    /// </summary>
    private static bool TryStorable(ref Utf8JsonReader reader, List<Scope> scopes, out JsonBodyProblem? problem)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            problem = System.Text.Unicode.Utf8.IsValid(reader.ValueSpan) ? null : JsonBodyProblem.Invalid(PathOf(scopes), NotUnicode);
        }
        else
        {
            problem = !TryText(ref reader, out var text) ? JsonBodyProblem.Invalid(PathOf(scopes), NotUnicode)
                : text.Contains('\0', StringComparison.Ordinal) ? JsonBodyProblem.Refused(PathOf(scopes), InputCheck.HoldsNul)
                : null;
        }

        return problem is null;
    }

    private static bool TryText(ref Utf8JsonReader reader, out string text)
    {
        try
        {
            text = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            // GetString refuses text that does not decode to valid UTF-16, such as an escaped lone surrogate.
            text = "";
            return false;
        }
    }

    private static void Advance(List<Scope> scopes)
    {
        if (scopes.Count > 0 && scopes[^1].Names is null)
        {
            scopes[^1].Index++;
        }
    }

    private static string PathOf(List<Scope> scopes)
    {
        var path = new StringBuilder();
        foreach (var scope in scopes)
        {
            if (scope.Names is null)
            {
                path.Append('[').Append(scope.Index - 1).Append(']');
            }
            else if (scope.Name is not null)
            {
                path.Append(path.Length > 0 ? "." : "").Append(scope.Name);
            }
        }

        return path.Length == 0 ? "body" : path.ToString();
    }

    /// <summary>The whole body, as sent.</summary>
    public static async Task<ArraySegment<byte>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length and <= TollgateOptions.MaxBodyBytes)
        {
            // The usual case: the length is declared, so the body is read once into an array of exactly that size.
            var exact = new byte[length];
            var read = await request.Body.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, cancellationToken);
            return new ArraySegment<byte>(exact, 0, read);
        }

        var buffer = new MemoryStream(4096);
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return new ArraySegment<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>One open object (with the names seen so far and the current one) or array (with its item count).</summary>
    private sealed class Scope(HashSet<string>? names)
    {
        public HashSet<string>? Names { get; } = names;

        public string? Name { get; set; }

        public int Index { get; set; }
    }
}

/// <summary>
/// What is wrong with a JSON body: text that is not JSON as Tollgate reads it (<c>invalid_json</c>), or valid JSON
/// whose value at <paramref name="Field"/> no field takes (<c>validation_failed</c>, as the endpoint's own checks answer).
/// </summary>
public sealed record JsonBodyProblem(string Field, string Message, bool IsValidJson)
{
    public static JsonBodyProblem Invalid(string field, string message) => new(field, $"{field}: {message}", IsValidJson: false);

    public static JsonBodyProblem Refused(string field, string message) => new(field, message, IsValidJson: true);

    // An invalid_json problem names its field in `errors` too, as a validation problem does, so a client that reads the
    // field's message from there (the SDKs' ValidationError) finds it for a wrong type as for a value out of range.
    public ProblemHttpResult ToResult() =>
        IsValidJson ? Problems.Validation(Field, Message) : Problems.Create(StatusCodes.Status400BadRequest, "invalid_json", Message,
            new Dictionary<string, object?>
            {
                // A property named "" has no path to name (Field is then null or empty), so the body is named.
                ["errors"] = new Dictionary<string, string>
                {
                    [string.IsNullOrEmpty(Field) ? "body" : Field] =
                        !string.IsNullOrEmpty(Field) && Message.StartsWith($"{Field}: ", StringComparison.Ordinal) ? Message[(Field.Length + 2)..] : Message,
                },
            });
}
