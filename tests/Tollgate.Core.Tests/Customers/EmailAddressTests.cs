using Tollgate.Core.Customers;

namespace Tollgate.Core.Tests.Customers;

public sealed class EmailAddressTests
{
    [Theory]
    [InlineData("ada@example.com")]
    [InlineData("ada.lovelace+billing@mail.example.co.uk")]
    [InlineData("o'brien@example.ie")]
    [InlineData("user@xn--bcher-kva.example")]
    [InlineData("jürgen@bücher.de")]
    public void APlainAddressIsAccepted(string address) => Assert.True(EmailAddress.IsValid(address));

    [Theory]
    [InlineData("")]
    [InlineData("ada")]
    [InlineData("@example.com")]
    [InlineData("ada@")]
    [InlineData("ada@example")]
    [InlineData("ada@@example.com")]
    [InlineData("ada @example.com")]
    [InlineData("Ada <ada@example.com>")]
    [InlineData("\"ada\"@example.com")]
    [InlineData(".ada@example.com")]
    [InlineData("ada.@example.com")]
    [InlineData("a..da@example.com")]
    [InlineData("ada@example..com")]
    [InlineData("ada@-example.com")]
    [InlineData("ada@example-.com")]
    [InlineData("ada@10.0.0.1")]
    [InlineData("ada@example.com\nBcc: x@example.com")]
    [InlineData("ada@example.com,bob@example.com")]
    public void AnythingElseIsRefused(string address) => Assert.False(EmailAddress.IsValid(address));

    [Fact]
    public void TheLimitsAre64ForTheLocalPartAnd254InAll()
    {
        var domain = "@" + string.Join('.', Enumerable.Repeat(new string('d', 60), 4)) + ".com"; // 248 characters with the @

        Assert.True(EmailAddress.IsValid(new string('a', 64) + "@example.com"));
        Assert.False(EmailAddress.IsValid(new string('a', 65) + "@example.com"));
        Assert.True(EmailAddress.IsValid("abcdef" + domain)); // 254
        Assert.False(EmailAddress.IsValid("abcdefg" + domain)); // 255
    }
}
