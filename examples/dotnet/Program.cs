namespace CvWriter;

internal static class Program
{
    private static Task Main(string[] args) => CvWriterApp.Build(args).RunAsync();
}
