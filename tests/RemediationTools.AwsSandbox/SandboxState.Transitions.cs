using RemediationTools.AwsSandbox.Ec2;

namespace RemediationTools.AwsSandbox;

/// <summary>How long EC2's asynchronous transitions take in the sandbox.</summary>
internal sealed partial class SandboxState
{
    /// <summary>Time from a request to the end of its transition (stop, start, attach, detach, snapshot, create volume); zero = at once.</summary>
    public TimeSpan TransitionDelay { get; set; }

    /// <summary>A transition from <paramref name="from"/> to <paramref name="to"/> that ends after <see cref="TransitionDelay"/>.</summary>
    public StateTransition Transition(string from, string to) => new(from, to, Now + TransitionDelay);

    /// <summary>What runs launched instances (metadata service, launcher); called under <see cref="Gate"/>.</summary>
    public IInstanceHost? InstanceHost { get; set; }
}

/// <summary>Told when RunInstances launches and TerminateInstances terminates an instance (under the state lock).</summary>
internal interface IInstanceHost
{
    void Launched(Ec2RegionState state, Instance instance);

    void Terminated(Ec2RegionState state, Instance instance);
}
