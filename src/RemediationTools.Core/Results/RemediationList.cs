using System.Collections.ObjectModel;

namespace RemediationTools;

/// <summary>
/// A read-only list of an output type (actions, IAM actions, notes, log lines) whose text form is its items joined by
/// <c>"; "</c>, so that <c>ConvertTo-Csv</c>, <c>Export-Csv</c> and string expansion write one readable value instead of
/// the type name; indexing, counting and <c>ConvertTo-Json</c> see an ordinary list.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class RemediationList<T> : ReadOnlyCollection<T>
{
    /// <summary>Wraps a copy of <paramref name="items"/>.</summary>
    /// <param name="items">The items, in order.</param>
    public RemediationList(IEnumerable<T> items)
        : base((items ?? throw new ArgumentNullException(nameof(items))).ToList())
    {
    }

    /// <summary>The items' text forms joined by <c>"; "</c>; empty for an empty list.</summary>
    /// <returns>The joined text.</returns>
    public override string ToString() => string.Join("; ", this.Select(item => item?.ToString()));
}

/// <summary>Builds <see cref="RemediationList{T}"/> values.</summary>
internal static class RemediationList
{
    /// <summary><paramref name="items"/> as a <see cref="RemediationList{T}"/> (the same instance when it is one already); null reads as empty.</summary>
    public static RemediationList<T> From<T>(IEnumerable<T>? items)
        => items switch
        {
            null => EmptyOf<T>.Value,
            RemediationList<T> list => list,
            _ => new RemediationList<T>(items),
        };

    /// <summary>The empty list of <typeparamref name="T"/>.</summary>
    public static RemediationList<T> Empty<T>() => EmptyOf<T>.Value;

    private static class EmptyOf<T>
    {
        public static readonly RemediationList<T> Value = new(Array.Empty<T>());
    }
}
