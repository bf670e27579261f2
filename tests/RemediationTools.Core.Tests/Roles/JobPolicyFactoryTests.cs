using RemediationTools.Core.Jobs;
using RemediationTools.Core.Roles;

namespace RemediationTools.Core.Tests.Roles;

public class JobPolicyFactoryTests
{
    private static readonly RemediationJobInfo DeleteJob = JobCatalog.Default.FindById("security-group-not-attached-delete")!.Info;

    [Fact]
    public void Actions_WithoutIncludeUndo_ExactlyTheJobsActions()
    {
        var actions = JobPolicyFactory.Actions(new[] { DeleteJob });

        Assert.Equal(DeleteJob.IamActions.OrderBy(a => a, StringComparer.Ordinal), actions);
        Assert.DoesNotContain("ec2:CreateSecurityGroup", actions);
    }

    [Fact]
    public void Actions_WithIncludeUndo_JobAndUndoActionsExactly()
    {
        var actions = JobPolicyFactory.Actions(new[] { DeleteJob }, includeUndo: true);

        Assert.Equal(DeleteJob.IamActions.Concat(DeleteJob.UndoIamActions).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(a => a, StringComparer.Ordinal), actions);
        Assert.Contains("ec2:CreateSecurityGroup", actions);
    }

    [Fact]
    public void Describe_EveryJob_UndoActionsOnlyWithTheFlag()
    {
        var jobs = JobCatalog.Default.Jobs.Select(j => j.Info).ToList();
        var undoOnly = jobs.SelectMany(j => j.UndoIamActions).Except(jobs.SelectMany(j => j.IamActions), StringComparer.OrdinalIgnoreCase).ToList();
        Assert.NotEmpty(undoOnly);

        var plain = JobPolicyFactory.Describe(jobs);
        var withUndo = JobPolicyFactory.Describe(jobs, includeUndo: true);

        Assert.False(plain.IncludeUndo);
        Assert.True(withUndo.IncludeUndo);
        Assert.All(undoOnly, a => Assert.DoesNotContain(a, plain.Actions));
        Assert.All(undoOnly, a => Assert.Contains(a, withUndo.Actions));
        Assert.All(undoOnly, a => Assert.Contains("\"" + a + "\"", string.Concat(withUndo.Documents), StringComparison.Ordinal));
        Assert.All(undoOnly, a => Assert.DoesNotContain("\"" + a + "\"", string.Concat(plain.Documents), StringComparison.Ordinal));
        Assert.Equal(plain.Actions.Count + undoOnly.Count, withUndo.Actions.Count);
    }
}
