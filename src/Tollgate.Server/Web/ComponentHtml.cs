using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace Tollgate.Server.Web;

/// <summary>
/// Renders a Razor component to a string outside a page request, for HTML that leaves as a value: the printable invoice
/// in an e-mail and in GET /v1/invoices/{id}/html. The same encoding as the pages, so a value is never markup.
/// </summary>
public sealed class ComponentHtml(IServiceProvider services, ILoggerFactory loggers)
{
    public async Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters) where TComponent : IComponent
    {
        // A scope of its own, as a request has: the renderer asks for scoped services (the navigation manager), which the root refuses.
        await using var scope = services.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggers);
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }
}
