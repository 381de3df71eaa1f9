using Tollgate.Server.Email;
using Tollgate.Server.Webhooks;

namespace Tollgate.Storage.Tests.Contracts;

public sealed class EmailKindsTests
{
    [Fact]
    public void EveryMailedEventIsAKnownWebhookEventWithAKind()
    {
        Assert.All(EmailKinds.MailedEvents, type =>
        {
            Assert.Contains(type, WebhookEventTypes.All);
            Assert.NotNull(EmailKinds.ForEvent(type));
        });
        Assert.Equal(EmailKinds.All.Count, EmailKinds.MailedEvents.Select(EmailKinds.ForEvent).Distinct().Count());
    }
}
