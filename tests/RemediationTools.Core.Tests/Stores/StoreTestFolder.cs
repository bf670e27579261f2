namespace RemediationTools.Core.Tests.Stores;

/// <summary>A fresh folder under the temp folder for one test's store, deleted afterwards.</summary>
internal sealed class StoreTestFolder : IDisposable
{
    public StoreTestFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rt-store-" + Guid.NewGuid().ToString("N"));

    /// <summary>Every file under the folder whose bytes contain <paramref name="text"/>.</summary>
    public IReadOnlyList<string> FilesContaining(string text)
        => Directory.GetFiles(Path, "*", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains(text, StringComparison.Ordinal))
            .ToList();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A clock a test moves by hand.</summary>
internal sealed class ManualClock
{
    public DateTimeOffset Now { get; set; } = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public DateTimeOffset Read() => Now;
}
