using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tollgate.Core.Json;

/// <summary>
/// Reads one JSON object field by field, collecting every problem with its path instead of stopping at
/// the first, so a rejected document names all that is wrong with it.
/// </summary>
public sealed class ElementReader
{
    private readonly JsonElement _element;
    private readonly List<DocumentProblem> _problems;

    public ElementReader(JsonElement element, string path, List<DocumentProblem> problems, params string[] allowed)
    {
        _element = element;
        _problems = problems;
        Path = path;
        IsObject = element.ValueKind == JsonValueKind.Object;
        if (!IsObject)
        {
            Problem(path, "must be an object");
            return;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                // A field named "" is named as JSON writes it, "", where the problem read ": unknown field".
                Problem(Child(property.Name.Length == 0 ? "\"\"" : property.Name), "unknown field");
            }
        }
    }

    public string Path { get; }

    public bool IsObject { get; }

    public string Child(string name) => Path.Length == 0 ? name : Path + "." + name;

    public void Problem(string path, string message) => _problems.Add(new DocumentProblem(path, message));

    public bool Has(string name) => IsObject && _element.TryGetProperty(name, out _);

    public string? String(string name, bool required, int maxLength = 200, Regex? pattern = null, string? patternHint = null)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Null && !required)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Problem(Child(name), "must be a string");
            return null;
        }

        var text = value.GetString()!;
        if (required && text.Trim().Length == 0)
        {
            Problem(Child(name), "must not be empty");
            return null;
        }

        if (text.Length > maxLength)
        {
            Problem(Child(name), $"must be at most {maxLength} characters");
            return null;
        }

        if (pattern is not null && !pattern.IsMatch(text))
        {
            Problem(Child(name), patternHint ?? $"must match {pattern}");
            return null;
        }

        return text;
    }

    /// <summary>A number too large for a long (100000000000000000000, 1e20) is still whole when it has no fraction.</summary>
    private static bool IsWhole(JsonElement number) =>
        number.TryGetDecimal(out var d) ? d == decimal.Truncate(d) : number.TryGetDouble(out var f) && double.IsFinite(f) && f == Math.Floor(f);

    /// <summary>A whole number written with a decimal point or an exponent, where the field takes an integer.</summary>
    public const string NotIntegerSyntax = "must be written as an integer, without a decimal point or exponent (5, not 5.0 or 5e0)";

    /// <summary>An integer field; <paramref name="present"/> tells a JSON null from an absent field.</summary>
    public long? Integer(string name, bool required, long min, long max, out bool present, bool allowNull = false)
    {
        present = false;
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        present = true;
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (!allowNull)
            {
                Problem(Child(name), "must not be null");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            Problem(Child(name), value.ValueKind != JsonValueKind.Number ? "must be a number"
                : !IsWhole(value) ? "must be a whole number"
                // 10.0 or 1e3 in range: its only fault is how it is written, where it read "must be <= 10000000000".
                : value.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') >= 0 && value.TryGetDecimal(out var written) && written >= min && written <= max
                    ? NotIntegerSyntax
                : value.GetRawText().StartsWith('-') ? $"must be >= {min}" // whole, but past what a long holds: out of range, not fractional
                : $"must be <= {max}");
            return null;
        }

        if (number < min)
        {
            Problem(Child(name), $"must be >= {min}");
            return null;
        }

        if (number > max)
        {
            Problem(Child(name), $"must be <= {max}");
            return null;
        }

        return number;
    }

    public long? Integer(string name, bool required, long min, long max) => Integer(name, required, min, max, out _);

    public bool Boolean(string name, bool defaultValue)
    {
        if (!TryGet(name, required: false, out var value))
        {
            return defaultValue;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Problem(Child(name), "must be true or false");
        return defaultValue;
    }

    /// <summary>A decimal field, read exactly from the JSON text (never through double).</summary>
    public decimal? Decimal(string name, decimal min, decimal max)
    {
        if (!TryGet(name, required: false, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var number))
        {
            Problem(Child(name), "must be a number");
            return null;
        }

        if (!ExactDecimal.Holds(value.GetRawText(), number))
        {
            Problem(Child(name), ExactDecimal.Problem);
            return null;
        }

        if (number < min || number > max)
        {
            Problem(Child(name), $"must be between {min} and {max}");
            return null;
        }

        return number;
    }

    public IEnumerable<(JsonElement Element, string Path)> Array(string name, bool required, int maxItems = 1000)
    {
        if (!TryGet(name, required, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            yield break;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Problem(Child(name), "must be an array");
            yield break;
        }

        if (value.GetArrayLength() > maxItems)
        {
            Problem(Child(name), $"must have at most {maxItems} items");
            yield break;
        }

        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            yield return (item, $"{Child(name)}[{index}]");
            index++;
        }
    }

    public JsonElement? Raw(string name)
    {
        return TryGet(name, required: false, out var value) ? value : null;
    }

    private bool TryGet(string name, bool required, out JsonElement value)
    {
        value = default;
        if (!IsObject)
        {
            return false;
        }

        if (_element.TryGetProperty(name, out value))
        {
            return true;
        }

        if (required)
        {
            Problem(Child(name), "is required");
        }

        return false;
    }
}
