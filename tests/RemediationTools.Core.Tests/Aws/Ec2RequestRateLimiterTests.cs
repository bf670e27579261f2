using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Aws;

public sealed class Ec2RequestRateLimiterTests
{
    private readonly FakePacingClock clock = new();

    [Theory]
    [InlineData("DescribeSecurityGroups", false, "UnfilteredNonMutating", 50, 10)]
    [InlineData("DescribeSecurityGroups", true, "NonMutating", 100, 20)]
    [InlineData("DescribeNetworkAcls", false, "NonMutating", 100, 20)]
    [InlineData("RevokeSecurityGroupIngress", false, "ResourceIntensive", 50, 5)]
    [InlineData("AuthorizeSecurityGroupIngress", false, "ResourceIntensive", 50, 5)]
    [InlineData("ReplaceNetworkAclEntry", false, "Mutating", 50, 5)]
    [InlineData("RevokeSecurityGroupEgress", false, "Mutating", 50, 5)]
    [InlineData("CreateTags", false, "Uncategorized", 100, 10)]
    [InlineData("ModifyInstanceMetadataOptions", false, "Uncategorized", 100, 5)]
    [InlineData("CreateVpcEndpoint", false, "Uncategorized", 4, 0.3)]
    [InlineData("Getaway", false, "Mutating", 50, 5)]
    public void RequestBucket_ReferenceTable_CategoryAndDefaultLimit(string action, bool filtered, string category, double capacity, double refill)
    {
        Assert.Equal(Enum.Parse<Ec2ThrottlingCategory>(category), Ec2ActionCategories.CategoryOf(action, filtered));
        Assert.Equal(new Ec2BucketLimit(capacity, refill), new Ec2RequestLimits().RequestBucket(action, filtered).Limit);
    }

    [Fact]
    public void DefaultConcurrency_SmallestBurstOfTheJobsBuckets()
    {
        Assert.Equal(50, Ec2RequestLimits.DefaultConcurrency);
        Assert.Equal(Ec2RequestLimits.DefaultConcurrency, new RemediationTools.Core.Engine.RemediationOptions().ThrottleLimit);
    }

    [Fact]
    public void RequestBucket_ClientCopy_OneTokenBelowEc2sBurstAtTheSameRefillRate()
    {
        var limiter = new Ec2RequestRateLimiter("111122223333", "us-east-1", new Ec2RequestLimits(), clock);
        var granted = 0;
        while (limiter.AcquireAsync("RevokeSecurityGroupIngress", false, 0, CancellationToken.None).IsCompleted)
        {
            granted++;
        }

        // EC2's bucket holds 50; the client's copy leaves one of them unused, and refills at EC2's 5 a second.
        Assert.Equal(49, granted);
        Assert.Equal(new Ec2BucketLimit(49, 5), Ec2RequestRateLimiter.WithReserve(new Ec2BucketLimit(50, 5)));
        Assert.Equal(new Ec2BucketLimit(1, 1), Ec2RequestRateLimiter.WithReserve(new Ec2BucketLimit(1, 1)));
    }

    [Fact]
    public void AcquireAsync_OneActionExhausted_OtherActionsAndCategoriesNotBlocked()
    {
        var limiter = new Ec2RequestRateLimiter("111122223333", "us-east-1", new Ec2RequestLimits(), clock);
        for (var i = 0; i < 49; i++)
        {
            Assert.True(limiter.AcquireAsync("RevokeSecurityGroupIngress", false, 0, CancellationToken.None).IsCompleted);
        }

        var paced = limiter.AcquireAsync("RevokeSecurityGroupIngress", false, 0, CancellationToken.None);

        Assert.False(paced.IsCompleted);
        Assert.True(limiter.AcquireAsync("AuthorizeSecurityGroupIngress", false, 0, CancellationToken.None).IsCompleted);
        Assert.True(limiter.AcquireAsync("ReplaceNetworkAclEntry", false, 0, CancellationToken.None).IsCompleted);
        Assert.True(limiter.AcquireAsync("DescribeSecurityGroups", false, 0, CancellationToken.None).IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.True(paced.IsCompletedSuccessfully);
        Assert.Equal(53, limiter.Acquired);
    }

    [Fact]
    public void AcquireAsync_UnfilteredCallsExhausted_FilteredCallsUseTheLargerBucket()
    {
        var limiter = new Ec2RequestRateLimiter("111122223333", "us-east-1", new Ec2RequestLimits(), clock);
        for (var i = 0; i < 49; i++)
        {
            Assert.True(limiter.AcquireAsync("DescribeSecurityGroups", false, 0, CancellationToken.None).IsCompleted);
        }

        Assert.False(limiter.AcquireAsync("DescribeSecurityGroups", false, 0, CancellationToken.None).IsCompleted);
        for (var i = 0; i < 99; i++)
        {
            Assert.True(limiter.AcquireAsync("DescribeSecurityGroups", true, 0, CancellationToken.None).IsCompleted);
        }

        Assert.False(limiter.AcquireAsync("DescribeSecurityGroups", true, 0, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public void For_AccountsAndRegions_IndependentBucketsSameLimiterForSamePair()
    {
        var registry = new Ec2RequestRateLimiterRegistry(clock: clock);
        var limiter = registry.For("111122223333", "us-east-1");
        for (var i = 0; i < 49; i++)
        {
            Assert.True(limiter.AcquireAsync("RevokeSecurityGroupIngress", false, 0, CancellationToken.None).IsCompleted);
        }

        Assert.Same(limiter, registry.For("111122223333", "us-east-1"));
        Assert.False(registry.For("111122223333", "us-east-1").AcquireAsync("RevokeSecurityGroupIngress", false, 0, CancellationToken.None).IsCompleted);
        Assert.True(registry.For("111122223333", "eu-west-1").AcquireAsync("RevokeSecurityGroupIngress", false, 0, CancellationToken.None).IsCompleted);
        Assert.True(registry.For("444455556666", "us-east-1").AcquireAsync("RevokeSecurityGroupIngress", false, 0, CancellationToken.None).IsCompleted);
        Assert.Equal(3, registry.Count);
    }

    [Fact]
    public void For_LimiterRefilledAfterAMinute_DroppedAndBusyOneKept()
    {
        var registry = new Ec2RequestRateLimiterRegistry(clock: clock);
        var refilled = registry.For("111122223333", "us-east-1");
        Assert.True(refilled.AcquireAsync("RevokeSecurityGroupIngress", false, 0, CancellationToken.None).IsCompleted);
        var busy = registry.For("444455556666", "us-east-1");
        for (var i = 0; i < 50; i++)
        {
            Assert.True(busy.AcquireAsync("DescribeVpcs", false, 0, CancellationToken.None).IsCompleted);
        }

        busy.OnThrottled("DescribeVpcs", false);
        clock.Advance(TimeSpan.FromSeconds(61));
        busy.OnThrottled("DescribeVpcs", false);

        Assert.Same(busy, registry.For("444455556666", "us-east-1"));
        Assert.NotSame(refilled, registry.For("111122223333", "us-east-1"));
    }

    [Theory]
    [InlineData("RevokeSecurityGroupIngress", 1000, 190)]
    [InlineData("RevokeSecurityGroupIngress", 50, 0)]
    [InlineData("DescribeVpcs", 300, 10)]
    public void LeastTimeFor_Calls_BurstThenRefillRate(string action, int calls, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), new Ec2RequestLimits().LeastTimeFor(action, true, calls));
    }

    [Fact]
    public void Limits_RaisedForAnAction_UsedForThatActionOnly()
    {
        var limits = new Ec2RequestLimits();
        limits.Actions["RevokeSecurityGroupIngress"] = new Ec2BucketLimit(3, 1);
        var limiter = new Ec2RequestRateLimiter("111122223333", "us-east-1", limits, clock);

        Assert.True(limiter.AcquireAsync("RevokeSecurityGroupIngress", false, 0, CancellationToken.None).IsCompleted);
        Assert.True(limiter.AcquireAsync("RevokeSecurityGroupIngress", false, 0, CancellationToken.None).IsCompleted);
        Assert.False(limiter.AcquireAsync("RevokeSecurityGroupIngress", false, 0, CancellationToken.None).IsCompleted);
        // The category's 50 less the client's one-token reserve.
        Assert.Equal(new Ec2BucketLimit(49, 5), limiter.RequestBucket("AuthorizeSecurityGroupIngress", false).Limit);
    }

    [Fact]
    public void Parse_CategoryAndActionEntries_ThoseLimitsInPlaceOthersTheReferences()
    {
        var limits = Ec2RequestLimits.Parse(" mutating=100/10 , RevokeSecurityGroupIngress=200/20.5,ResourceIntensive=80/8");

        Assert.Equal(new Ec2BucketLimit(100, 10), limits.Categories[Ec2ThrottlingCategory.Mutating]);
        Assert.Equal(new Ec2BucketLimit(80, 8), limits.Categories[Ec2ThrottlingCategory.ResourceIntensive]);
        Assert.Equal(new Ec2BucketLimit(200, 20.5), limits.RequestBucket("RevokeSecurityGroupIngress", false).Limit);
        Assert.Equal(new Ec2BucketLimit(80, 8), limits.RequestBucket("AuthorizeSecurityGroupIngress", false).Limit);
        Assert.Equal(new Ec2BucketLimit(100, 20), limits.Categories[Ec2ThrottlingCategory.NonMutating]);
        // The smallest burst of the jobs' buckets is now the unfiltered one's (50).
        Assert.Equal(50, limits.Concurrency);
        Assert.Equal(Ec2RequestLimits.DefaultConcurrency, Ec2RequestLimits.Parse("  ").Concurrency);
    }

    [Fact]
    public void Parse_AllJobBucketsRaised_ConcurrencyFollows()
    {
        var limits = Ec2RequestLimits.Parse("NonMutating=400/80,UnfilteredNonMutating=200/40,Mutating=200/20,ResourceIntensive=150/15");

        Assert.Equal(150, limits.Concurrency);
    }

    [Theory]
    [InlineData("Mutating", "'Mutating': it must be name=capacity/refill-per-second")]
    [InlineData("Mutating=100", "'Mutating=100': it must be name=capacity/refill-per-second")]
    [InlineData("Mutating=many/5", "'Mutating=many/5': capacity and refill rate must be numbers")]
    [InlineData("Mutating=100/0", "'Mutating=100/0': a bucket holds at least one token and refills at a positive, finite rate")]
    [InlineData("Mutating=0.5/5", "'Mutating=0.5/5': a bucket holds at least one token")]
    [InlineData("Mutating=100/5,describe-vpcs=1/1", "'describe-vpcs=1/1': 'describe-vpcs' is neither a category")]
    [InlineData("Uncategorized=5/1", "'Uncategorized=5/1': 'Uncategorized' is neither a category")]
    public void Parse_MalformedEntry_ErrorNamesTheEntry(string spec, string expected)
    {
        var ex = Assert.Throws<AwsConfigurationException>(() => Ec2RequestLimits.Parse(spec));

        Assert.Contains("REMEDIATION_EC2_LIMITS has the entry " + expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForLimits_SameSetting_OneSharedRegistryBlankIsShared()
    {
        var first = Ec2RequestRateLimiterRegistry.ForLimits("Mutating=120/12");

        Assert.Same(first, Ec2RequestRateLimiterRegistry.ForLimits(" Mutating=120/12 "));
        Assert.Equal(new Ec2BucketLimit(120, 12), first.Limits.Categories[Ec2ThrottlingCategory.Mutating]);
        Assert.Same(Ec2RequestRateLimiterRegistry.Shared, Ec2RequestRateLimiterRegistry.ForLimits(null));
        Assert.Throws<AwsConfigurationException>(() => Ec2RequestRateLimiterRegistry.ForLimits("Mutating=x/1"));
    }

    [Fact]
    public async Task AcquireAsync_StopInstances_TakesOneResourceTokenPerInstance()
    {
        var limits = new Ec2RequestLimits();
        limits.ResourceActions["StopInstances"] = new Ec2BucketLimit(10, 1);
        var limiter = new Ec2RequestRateLimiter("111122223333", "us-east-1", limits, clock);

        Assert.True(limiter.AcquireAsync("StopInstances", false, 8, CancellationToken.None).IsCompleted);
        var more = limiter.AcquireAsync("StopInstances", false, 4, CancellationToken.None);

        Assert.False(more.IsCompleted);
        var resources = limiter.BucketOrNull("resource:StopInstances")!;
        Assert.Equal(1, resources.Waiting);
        clock.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal(1, resources.Waiting);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, resources.Waiting);
        await more.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void OnThrottled_ThrottledAction_SlowedOthersNot()
    {
        var limiter = new Ec2RequestRateLimiter("111122223333", "us-east-1", new Ec2RequestLimits(), clock);

        limiter.OnThrottled("RevokeSecurityGroupIngress", false);

        Assert.False(limiter.AcquireAsync("RevokeSecurityGroupIngress", false, 0, CancellationToken.None).IsCompleted);
        Assert.True(limiter.AcquireAsync("AuthorizeSecurityGroupIngress", false, 0, CancellationToken.None).IsCompleted);
        Assert.Equal(1, limiter.Throttles);
        Assert.True(limiter.RequestBucket("RevokeSecurityGroupIngress", false).CurrentRefillRate < 5);
    }

    [Theory]
    [InlineData("DescribeSecurityGroups", "GroupId.1=sg-1", false, 0)]
    [InlineData("DescribeSecurityGroups", "Filter.1.Name=vpc-id,Filter.1.Value.1=vpc-1", true, 0)]
    [InlineData("DescribeSecurityGroups", "MaxResults=100", true, 0)]
    [InlineData("DescribeInstances", "NextToken=abc,InstanceId.1=i-1", true, 1)]
    [InlineData("StopInstances", "InstanceId.1=i-1,InstanceId.2=i-2", false, 2)]
    [InlineData("RunInstances", "MaxCount=7,MinCount=1", false, 7)]
    public void Ec2Call_MarshalledParameters_FilterPaginationAndInstances(string action, string parameters, bool filtered, int instances)
    {
        var map = parameters.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

        var call = Ec2PacingHandler.Ec2Call.Of(action, map);

        Assert.Equal(filtered, call.FilteredOrPaginated);
        Assert.Equal(instances, call.ResourceCount);
    }

    [Theory]
    [InlineData("arn:aws:iam::222233334444:role/RemediationTools", "222233334444")]
    [InlineData("arn:aws-cn:iam::222233334444:role/path/r", "222233334444")]
    [InlineData("not-an-arn", null)]
    public void AccountOfRole_RoleArn_Account(string arn, string? account)
    {
        Assert.Equal(account, AwsClientFactory.AccountOfRole(arn));
    }
}
