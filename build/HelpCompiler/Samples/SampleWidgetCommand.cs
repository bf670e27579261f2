// Compiled by build/HelpCompiler/HelpCompiler.Tests.ps1 with Add-Type: a cmdlet for the sample page.
using System.Management.Automation;

namespace SampleWidgets
{
    public sealed class SampleWidget
    {
        public string Name { get; set; }
        public bool Retired { get; set; }
    }

    [Cmdlet(VerbsCommon.Get, "SampleWidget")]
    [OutputType(typeof(SampleWidget))]
    public sealed class GetSampleWidgetCommand : PSCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [Alias("WidgetName")]
        [SupportsWildcards]
        public string[] Name { get; set; }

        [Parameter]
        public SwitchParameter IncludeRetired { get; set; }

        protected override void ProcessRecord()
        {
            WriteObject(new SampleWidget { Name = "gear1", Retired = IncludeRetired.IsPresent });
        }
    }
}
