namespace Noether.Tensors;

/// <summary>
/// Elementwise work over a population split into contiguous member ranges, one per thread. Each range
/// is at least 64 bytes per member, so a vectorised primitive takes the same (widest) code path on
/// every range as on the whole tensor and each element's value does not depend on the split.
/// Subclasses are created once per layer and reused: a parallel step allocates nothing.
/// </summary>
public abstract class MemberRangeJob : ParallelJob
{
    private int _members, _parts;

    /// <summary>Whether splitting <paramref name="members"/> members of <paramref name="memberBytes"/> bytes each is allowed and worth a thread hand-off.</summary>
    public static bool Worth(Compute compute, int members, long memberBytes) =>
        compute.Threads > 1 && members > 1 && memberBytes >= 64 && members * memberBytes >= 16 * 1024;

    /// <summary>Runs <see cref="RunRange"/> over members [0, members) in up to <paramref name="threads"/> parts.</summary>
    protected void Run(int members, int threads)
    {
        _members = members;
        _parts = Math.Min(members, threads);
        WorkerPool.Run(this, _parts, threads);
    }

    public sealed override void RunPart(int part) =>
        RunRange((int)((long)part * _members / _parts), (int)((long)(part + 1) * _members / _parts));

    /// <summary>Does the work for members [first, last).</summary>
    protected abstract void RunRange(int first, int last);
}

/// <summary>
/// Independent work items [0, count) split into contiguous ranges, one per thread (e.g. the encoders of a population
/// whose alignment is measured separately). Each item is handled by exactly one range and writes only its own
/// results, so they do not depend on the split or the thread count.
/// </summary>
public sealed class IndexRanges : MemberRangeJob
{
    private readonly Action<int, int> _body;
    private IndexRanges(Action<int, int> body) => _body = body;

    /// <summary>Runs <paramref name="body"/>(first, last) over contiguous ranges covering [0, <paramref name="count"/>) on up to <paramref name="threads"/> threads.</summary>
    public static void For(int count, int threads, Action<int, int> body)
    {
        if (count <= 0) return;
        if (threads <= 1 || count == 1) { body(0, count); return; }
        new IndexRanges(body).Run(count, threads);
    }

    protected override void RunRange(int first, int last) => _body(first, last);
}
