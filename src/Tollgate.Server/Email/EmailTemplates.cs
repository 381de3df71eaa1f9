using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Tollgate.Server.Email;

/// <summary>
/// The e-mail templates: for each kind, "kind.txt" (a "Subject: ..." line, a blank line, the text body) and "kind.html".
/// Defaults are embedded; a file of the same name in Tollgate:Email:TemplatesPath replaces one. {{field}} is replaced by
/// the field's value, HTML-escaped in the HTML template as the pages escape, so customer data never becomes markup.
/// </summary>
public sealed partial class EmailTemplates(IOptions<EmailOptions> options)
{
    private const string ResourcePrefix = "Tollgate.Server.Email.Templates.";

    [GeneratedRegex(@"\{\{\s*([a-z_]+)\s*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>Renders <paramref name="kind"/> with <paramref name="fields"/>; a placeholder naming no field is an error, not a blank.</summary>
    public RenderedEmail Render(string kind, IReadOnlyDictionary<string, string> fields)
    {
        var text = Fill(Read(kind + ".txt"), kind + ".txt", fields, html: false).ReplaceLineEndings("\n");
        if (!text.StartsWith("Subject:", StringComparison.Ordinal) || text.IndexOf("\n\n", StringComparison.Ordinal) is var split && split < 0)
        {
            throw new InvalidOperationException($"template {kind}.txt must start with a 'Subject: ...' line and a blank line");
        }

        // Control characters in the subject would end the header early (header injection): they become spaces.
        var subject = new string([.. text["Subject:".Length..split].Trim().Select(c => char.IsControl(c) ? ' ' : c)]);
        return new RenderedEmail(subject, text[(split + 2)..], Fill(Read(kind + ".html"), kind + ".html", fields, html: true));
    }

    private string Read(string name)
    {
        if (options.Value.TemplatesPath is { Length: > 0 } folder && Path.Combine(folder, name) is var path && File.Exists(path))
        {
            return File.ReadAllText(path, Encoding.UTF8);
        }

        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"no template {name}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static string Fill(string template, string name, IReadOnlyDictionary<string, string> fields, bool html) =>
        Placeholder().Replace(template, m => fields.TryGetValue(m.Groups[1].Value, out var value)
            ? html ? HtmlEncoder.Default.Encode(value) : value
            : throw new InvalidOperationException($"template {name} names an unknown field '{m.Groups[1].Value}'"));
}
