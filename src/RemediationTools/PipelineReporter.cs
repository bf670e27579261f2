using System.Management.Automation;
using RemediationTools.Core.Engine;

namespace RemediationTools;

/// <summary>
/// Carries the engine's verbose text, warnings and progress to the cmdlet's pipeline thread, where PowerShell
/// requires them to be written.
/// </summary>
internal sealed class PipelineReporter : IRemediationReporter
{
    // One stable activity id per cmdlet so nested progress bars of different cmdlets do not collide.
    private readonly int _activityId;
    private readonly Cmdlet _cmdlet;
    private readonly PipelineDispatcher _dispatcher;

    public PipelineReporter(Cmdlet cmdlet, PipelineDispatcher dispatcher, int activityId)
    {
        _cmdlet = cmdlet;
        _dispatcher = dispatcher;
        _activityId = activityId;
    }

    public void Progress(RemediationProgress progress)
    {
        var record = new ProgressRecord(_activityId, progress.Activity, progress.Status)
        {
            PercentComplete = Math.Max(0, Math.Min(100, progress.PercentComplete)),
            RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        _dispatcher.Post(() => _cmdlet.WriteProgress(record));
    }

    public void Verbose(string message) => _dispatcher.Post(() => _cmdlet.WriteVerbose(message));

    public void Warning(string message) => _dispatcher.Post(() => _cmdlet.WriteWarning(message));
}
