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

    public sealed override bool KeepsBlocksOnThreads => true;

    public sealed override void RunPart(int part) =>
        RunRange((int)((long)part * _members / _parts), (int)((long)(part + 1) * _members / _parts));

    /// <summary>Does the work for members [first, last).</summary>
    protected abstract void RunRange(int first, int last);
}

/// <summary>
/// Independent work items [0, count) run on up to <c>threads</c> threads, each item picked by the next free thread
/// in index order (so list the longest first). Each item must write only its own results, so they do not depend
/// on which thread ran it or on the thread count. Kernels inside an item run on its thread alone (the pool is busy).
/// </summary>
public sealed class ParallelItems : ParallelJob
{
    private readonly Action<int> _body;
    private ParallelItems(Action<int> body) => _body = body;

    /// <summary>Runs <paramref name="body"/>(i) for every i in [0, <paramref name="count"/>) on up to <paramref name="threads"/> threads.</summary>
    public static void For(int count, int threads, Action<int> body)
    {
        if (threads <= 1 || count <= 1) { for (int i = 0; i < count; i++) body(i); return; }
        WorkerPool.Run(new ParallelItems(body), count, threads);
    }

    public override void RunPart(int part) => _body(part);
}
