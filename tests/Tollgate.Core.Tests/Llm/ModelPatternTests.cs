using Tollgate.Core.Llm;

namespace Tollgate.Core.Tests.Llm;

public sealed class ModelPatternTests
{
    private static readonly DateTimeOffset Jan = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("tavily*", "tavily", true)]
    [InlineData("tavily*", "tavily-search", true)]
    [InlineData("tavily*", "xtavily", false)]
    [InlineData("*-mini", "gpt-4o-mini", true)]
    [InlineData("*-mini", "gpt-4o-mini-2", false)]
    [InlineData("gpt-*-mini", "gpt-4o-mini", true)]
    [InlineData("gpt-*-mini", "gpt--mini", true)]
    [InlineData("a*b*c", "abbbc", true)]
    [InlineData("a*b*c", "acb", false)]
    [InlineData("**", "", true)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exac", false)]
    [InlineData("*a*a*b", "aaab", true)]
    [InlineData("*a*a*b", "aab", true)]
    [InlineData("*a*a*b", "ab", false)]
    public void APatternMatchesTheWholeNameWithStarAsTheOnlyWildcard(string pattern, string name, bool matches) =>
        Assert.Equal(matches, ModelPattern.Matches(pattern, name));

    [Theory]
    [InlineData("gpt-4o", 0)]
    [InlineData("tavily*", 1)]
    [InlineData("**", 1)]
    [InlineData("a**b*c***", 3)]
    public void StarsCountsRunsOfStarsSoADoubledStarIsOne(string pattern, int runs) =>
        Assert.Equal(runs, ModelPattern.Stars(pattern));

    [Fact]
    public async Task AFortyStarPatternDecidesATwoHundredCharacterNameWithoutBacktracking()
    {
        // The regex this replaced took minutes on a 41-character name; the bounded wait makes the old code fail, not hang.
        var book = new PriceBook([new ModelPrice("p_house", "house", string.Concat(Enumerable.Repeat("*a", 39)) + "*b", "test", Jan, 1, 1, null, null,
            null, null, null, null, null)]);
        var unpriced = new string('a', 199) + "c";
        var priced = new string('a', 199) + "b";

        var found = await Task.Run(() => (book.Find(unpriced, Jan), book.Find(priced, Jan)?.Model))
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((null, "house"), found);
    }
}
