namespace RemediationTools.Core.Engine;

/// <summary>
/// Where the engine and jobs send progress, verbose text and warnings. The cmdlet layer maps it to
/// Write-Progress/Write-Verbose/Write-Warning, the worker to its log. Calls may come from any thread.
/// </summary>
internal interface IRemediationReporter
{
    /// <summary>Progress of a batch.</summary>
    void Progress(RemediationProgress progress);

    /// <summary>Detail, such as each AWS call made.</summary>
    void Verbose(string message);

    /// <summary>Something the operator should notice.</summary>
    void Warning(string message);
}

/// <summary>Progress of a batch of findings, in Write-Progress terms.</summary>
internal sealed class RemediationProgress
{
    /// <summary>Creates the progress record.</summary>
    public RemediationProgress(string activity, string status, int percentComplete, bool completed)
    {
        Activity = activity;
        Status = status;
        PercentComplete = percentComplete;
        Completed = completed;
    }

    /// <summary>What is being done.</summary>
    public string Activity { get; }

    /// <summary>The current item.</summary>
    public string Status { get; }

    /// <summary>0 to 100.</summary>
    public int PercentComplete { get; }

    /// <summary>True on the final record.</summary>
    public bool Completed { get; }
}

/// <summary>A reporter that drops everything.</summary>
internal sealed class NullRemediationReporter : IRemediationReporter
{
    /// <summary>The one instance.</summary>
    public static readonly NullRemediationReporter Instance = new();

    private NullRemediationReporter()
    {
    }

    /// <inheritdoc />
    public void Progress(RemediationProgress progress)
    {
    }

    /// <inheritdoc />
    public void Verbose(string message)
    {
    }

    /// <inheritdoc />
    public void Warning(string message)
    {
    }
}
