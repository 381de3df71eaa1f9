namespace Tollgate.Core.Llm;

/// <summary>
/// A price row's glob, where <c>*</c> is the only wildcard and the pattern must match the whole name. Matched by two
/// pointers that fall back only to the last <c>*</c>, so a name is decided in O(name × pattern) steps: a regex of
/// <c>.*a.*a…</c> backtracked in about name^stars steps, and one admin row of 40 stars pinned a core per unpriced call.
/// </summary>
public static class ModelPattern
{
    /// <summary>
    /// The most runs of stars a row may hold (<c>**</c> is one run): matching no longer needs the bound, but a price row
    /// with more is a mistake rather than a model family (LiteLLM's and the example catalogs' rows hold one or two).
    /// </summary>
    public const int MaxStars = 10;

    /// <summary>The pattern's runs of <c>*</c>: what <see cref="MaxStars"/> bounds.</summary>
    public static int Stars(string pattern)
    {
        var runs = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '*' && (i == 0 || pattern[i - 1] != '*'))
            {
                runs++;
            }
        }

        return runs;
    }

    public static bool Matches(string pattern, string name)
    {
        int p = 0, n = 0, star = -1, resume = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                // Remember the star and let it match nothing for now; on a mismatch it takes one more character.
                star = p++;
                resume = n;
            }
            else if (p < pattern.Length && pattern[p] == name[n])
            {
                p++;
                n++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
