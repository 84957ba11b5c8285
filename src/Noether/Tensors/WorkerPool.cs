using System.Runtime.ExceptionServices;

namespace Noether.Tensors;

/// <summary>Work split into numbered parts that may run on any thread in any order (results must not depend on which).</summary>
public abstract class ParallelJob
{
    /// <summary>Runs part <paramref name="part"/> of the job.</summary>
    public abstract void RunPart(int part);

    /// <summary>
    /// Whether each thread starts at its own block of the parts (the caller at part 0, the k-th helper to join k/threads
    /// of the way in) and then takes what is left, instead of every thread taking the next part in index order. A job
    /// whose parts write the same outputs each call (GEMM tiles, member ranges) then mostly has each part on the same
    /// thread from call to call, so its data stays in that core's caches: bench (b) with 2 threads on CPUs far apart
    /// (a cache line's round trip about 300 ns) 1.29–1.35 ms against 1.38–1.43 in index order, on near ones (about 100 ns)
    /// 0.99–1.01 ms against 1.00–1.02.
    /// </summary>
    public virtual bool KeepsBlocksOnThreads => false;

    /// <summary>Elements a thread's vector code takes in whole steps: pieces of a split start on multiples of this.</summary>
    public const int Align = 64;

    /// <summary>
    /// Range [start, end) of part <paramref name="part"/> when <paramref name="n"/> elements split into
    /// <paramref name="parts"/> about equal pieces that start on multiples of <see cref="Align"/>; the last runs to n.
    /// </summary>
    public static (int Start, int End) AlignedRange(int n, int part, int parts)
    {
        static int Boundary(int n, int part, int parts) => (int)((long)n * part / parts) / Align * Align;
        return (Boundary(n, part, parts), part == parts - 1 ? n : Boundary(n, part + 1, parts));
    }
}

/// <summary>
/// A fixed set of background threads that run the parts of one <see cref="ParallelJob"/> at a time,
/// together with the caller, without allocating per call (Parallel.For allocated ≈ 12 KB per training
/// step). A caller that finds the pool busy, or a nested call, runs its parts itself.
/// </summary>
public static class WorkerPool
{
    private const int Closed = 1 << 30;

    private static readonly SemaphoreSlim Wake = new(0);
    private static readonly object StartLock = new();
    private static int _workers;
    private static int _busy;
    private static ParallelJob? _job;
    private static int _parts, _next, _finished;
    // For jobs that keep blocks on threads: the threads the job was opened for, and which parts are taken (1).
    private static int _slots;
    private static bool _blocks;
    private static int[] _taken = [];
    // Helpers that joined the current job (low bits) and whether joining is closed (Closed bit).
    private static int _state = Closed;
    private static Exception? _failure;
    // Bumped each time a job opens, so a worker spinning after its last job sees the next one without a wake-up.
    private static int _generation;
    // Workers that gave up spinning and will block on Wake: each is released exactly once.
    private static int _sleepers;
    // How long an idle worker keeps looking for the next job before it blocks (a step's jobs come microseconds apart).
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency * 30 / 1_000_000;

    /// <summary>Runs parts 0..parts-1 of <paramref name="job"/> on up to <paramref name="threads"/> threads (the caller included); returns when all are done.</summary>
    public static void Run(ParallelJob job, int parts, int threads)
    {
        int helpers = Math.Min(Math.Min(threads, parts) - 1, Environment.ProcessorCount - 1);
        if (helpers <= 0 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int p = 0; p < parts; p++) job.RunPart(p);
            return;
        }
        try
        {
            EnsureWorkers(helpers);
            _job = job; _parts = parts; _next = 0; _finished = 0; _failure = null;
            _slots = helpers + 1;
            _blocks = job.KeepsBlocksOnThreads;
            if (_blocks)
            {
                if (_taken.Length < parts) _taken = new int[Math.Max(parts, 64)];
                else Array.Clear(_taken, 0, parts);
            }
            Interlocked.Increment(ref _generation);
            Volatile.Write(ref _state, 0);
            int sleeping = Interlocked.Exchange(ref _sleepers, 0);
            if (sleeping > 0) Wake.Release(sleeping);
            try { Drain(job, parts, 0); }
            catch (Exception e) { Interlocked.CompareExchange(ref _failure, e, null); }
            // Helpers that wake after this point find the job closed and go back to sleep.
            int joined = Interlocked.Or(ref _state, Closed) & ~Closed;
            var spin = new SpinWait();
            while (Volatile.Read(ref _finished) < joined) spin.SpinOnce(sleep1Threshold: -1);
            _job = null;
            if (_failure is { } failure) ExceptionDispatchInfo.Throw(failure);
        }
        finally { Volatile.Write(ref _busy, 0); }
    }

    /// <summary>Runs parts of the open job until none is left; <paramref name="slot"/> is 0 for the caller, k for the k-th helper to join.</summary>
    private static void Drain(ParallelJob job, int parts, int slot)
    {
        if (!_blocks)
        {
            for (int p; (p = Interlocked.Increment(ref _next) - 1) < parts;)
                job.RunPart(p);
            return;
        }
        int start = (int)((long)(slot % _slots) * parts / _slots);
        for (int i = 0; i < parts; i++)
        {
            int p = start + i < parts ? start + i : start + i - parts;
            if (Volatile.Read(ref _taken[p]) == 0 && Interlocked.CompareExchange(ref _taken[p], 1, 0) == 0) job.RunPart(p);
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (Volatile.Read(ref _workers) >= count) return;
        lock (StartLock)
        {
            while (_workers < count)
            {
                new Thread(Work) { IsBackground = true, Name = $"noether-worker-{_workers}" }.Start();
                _workers++;
            }
        }
    }

    private static void Work()
    {
        int lastGeneration = Volatile.Read(ref _generation);
        while (true)
        {
            long until = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
            while (Volatile.Read(ref _generation) == lastGeneration && System.Diagnostics.Stopwatch.GetTimestamp() < until)
                Thread.SpinWait(8);
            if (Volatile.Read(ref _generation) == lastGeneration)
            {
                Interlocked.Increment(ref _sleepers);
                // A job opened between the check and the count is missed (its caller runs the parts); the next one wakes us.
                Wake.Wait();
            }
            lastGeneration = Volatile.Read(ref _generation);
            int s = Volatile.Read(ref _state);
            // Join only an open job; the caller sets every field before opening it.
            while ((s & Closed) == 0)
            {
                int seen = Interlocked.CompareExchange(ref _state, s + 1, s);
                if (seen == s) break;
                s = seen;
            }
            if ((s & Closed) != 0) continue;
            try { Drain(_job!, _parts, s + 1); }
            catch (Exception e) { Interlocked.CompareExchange(ref _failure, e, null); }
            finally { Interlocked.Increment(ref _finished); }
        }
    }
}
