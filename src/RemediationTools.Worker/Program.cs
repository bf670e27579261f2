namespace RemediationTools.Worker;

/// <summary>Entry point of the remediation worker container.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        Console.WriteLine($"remediation-worker {typeof(Program).Assembly.GetName().Version}");
        return 0;
    }
}
