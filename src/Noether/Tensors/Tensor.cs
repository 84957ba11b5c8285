using System.Numerics;
using System.Runtime.CompilerServices;

namespace Noether.Tensors;

/// <summary>
/// Dense row-major tensor over float or double. The storage array may be longer than the
/// logical length (buffers are reused across steps); views share the array and never copy.
/// The leading dimension of a population tensor is the member index.
/// </summary>
public sealed class Tensor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Backing storage; only the first <see cref="Length"/> elements belong to the tensor.</summary>
    public readonly T[] Data;
    /// <summary>Offset of element 0 inside <see cref="Data"/> (for views and <see cref="Aligned"/> tensors).</summary>
    public readonly int Offset;
    public readonly int[] Shape;
    public readonly int Length;

    public Tensor(params int[] shape) : this(new T[Affordable(shape)], 0, shape) { }

    /// <summary>
    /// A zeroed tensor for a long-lived buffer that hot loops stream through (parameters, a network's activations and
    /// errors, batches). From 4 KB on, element 0 starts on a 64-byte boundary (a cache line, a 512-bit vector):
    /// otherwise vector loads may straddle two lines, and which ones depends on the address the allocator gave this
    /// process. Such storage is pinned, so the GC never moves it off the boundary; pinned memory is slower to allocate
    /// and freed only with the oldest generation, so temporaries use the constructor.
    /// </summary>
    public static unsafe Tensor<T> Aligned(params int[] shape)
    {
        int n = Affordable(shape), size = Unsafe.SizeOf<T>();
        if (n * (long)size < AlignFrom || n > Array.MaxLength - Alignment) return new Tensor<T>(new T[n], 0, shape);
        var data = GC.AllocateArray<T>(n + Alignment / size, pinned: true);
        long address = (long)Unsafe.AsPointer(ref data[0]);
        return new Tensor<T>(data, (int)((Alignment - address % Alignment) % Alignment) / size, shape);
    }

    private const int Alignment = 64, AlignFrom = 4096;

    private Tensor(T[] data, int offset, int[] shape)
    {
        Length = Checked(shape);
        if (offset + Length > data.Length)
            throw new ArgumentException($"Tensor: shape {ShapeText(shape)} needs {Length} elements but storage has {data.Length - offset}");
        Data = data; Offset = offset; Shape = (int[])shape.Clone();
    }

    /// <summary>Wraps an existing array without copying.</summary>
    public static Tensor<T> Wrap(T[] data, params int[] shape) => new(data, 0, shape);

    public static Tensor<T> FromDoubles(double[] values, params int[] shape)
    {
        var t = new Tensor<T>(shape);
        if (values.Length != t.Length)
            throw new ArgumentException($"Tensor.FromDoubles: {values.Length} values do not fill shape {ShapeText(shape)} ({t.Length} elements)");
        for (int i = 0; i < values.Length; i++) t[i] = T.CreateChecked(values[i]);
        return t;
    }

    public int Rank => Shape.Length;
    public int Dim(int axis) => Shape[axis < 0 ? Shape.Length + axis : axis];
    public Span<T> Span => Data.AsSpan(Offset, Length);
    public ReadOnlySpan<T> ReadOnlySpan => Data.AsSpan(Offset, Length);

    /// <summary>Number of elements in one slice along the leading axis.</summary>
    public int Stride0 => Shape.Length == 0 ? 1 : Length / Math.Max(1, Shape[0]);

    /// <summary>A view of slice <paramref name="index"/> along the leading axis (e.g. one population member).</summary>
    public Tensor<T> Slice(int index)
    {
        if ((uint)index >= (uint)Shape[0])
            throw new ArgumentOutOfRangeException(nameof(index), $"Tensor.Slice: index {index} outside leading dimension of shape {ShapeText(Shape)}");
        return new Tensor<T>(Data, Offset + index * Stride0, Shape[1..]);
    }

    /// <summary>Span of slice <paramref name="index"/> along the leading axis, without allocating a view object.</summary>
    public Span<T> SliceSpan(int index) => Data.AsSpan(Offset + index * Stride0, Stride0);

    /// <summary>Span of slices [<paramref name="first"/>, <paramref name="last"/>) along the leading axis (a range of members).</summary>
    public Span<T> SliceSpan(int first, int last) => Data.AsSpan(Offset + first * Stride0, (last - first) * Stride0);

    /// <summary>A view with a new shape of the same element count.</summary>
    public Tensor<T> Reshape(params int[] shape)
    {
        int n = Checked(shape);
        if (n != Length)
            throw new ArgumentException($"Tensor.Reshape: cannot reshape {ShapeText(Shape)} ({Length} elements) to {ShapeText(shape)} ({n} elements)");
        return new Tensor<T>(Data, Offset, shape);
    }

    public T this[int i]
    {
        get => Data[Offset + i];
        set => Data[Offset + i] = value;
    }

    public T this[int i, int j]
    {
        get => Data[Offset + i * Shape[1] + j];
        set => Data[Offset + i * Shape[1] + j] = value;
    }

    public T this[int i, int j, int k]
    {
        get => Data[Offset + (i * Shape[1] + j) * Shape[2] + k];
        set => Data[Offset + (i * Shape[1] + j) * Shape[2] + k] = value;
    }

    public Tensor<T> Clone()
    {
        var t = new Tensor<T>(Shape);
        ReadOnlySpan.CopyTo(t.Span);
        return t;
    }

    public void CopyFrom(Tensor<T> other)
    {
        Shapes.RequireSameLength("Tensor.CopyFrom", this, other);
        other.ReadOnlySpan.CopyTo(Span);
    }

    public void Fill(T value) => Span.Fill(value);
    public void Clear() => Span.Clear();

    public double[] ToDoubles()
    {
        var r = new double[Length];
        var s = ReadOnlySpan;
        for (int i = 0; i < r.Length; i++) r[i] = double.CreateChecked(s[i]);
        return r;
    }

    public bool SameShape(Tensor<T> other) => Shape.AsSpan().SequenceEqual(other.Shape);

    public override string ToString() => $"Tensor<{typeof(T).Name}>{ShapeText(Shape)}";

    public static string ShapeText(ReadOnlySpan<int> shape) => "[" + string.Join(",", shape.ToArray()) + "]";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Checked(int[] shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Tensor: negative dimension in shape {ShapeText(shape)}");
            n *= d;
        }
        if (n > int.MaxValue) throw new TensorSizeException($"a tensor of shape {ShapeText(shape)} has more than {int.MaxValue} elements, the most one tensor can hold; reduce the sizes in the config");
        return (int)n;
    }

    /// <summary>
    /// <see cref="Checked"/>, and a fresh allocation must fit the memory limit: a config that asks for one
    /// tensor larger than that is refused with its size rather than paging the machine to death. Small
    /// tensors skip the limit's lookup, so the check costs nothing where tensors are many.
    /// </summary>
    private static int Affordable(int[] shape)
    {
        int n = Checked(shape);
        long bytes = (long)n * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (bytes > 1L << 28 && bytes > Runs.MemoryLimit.Bytes)
            throw new TensorSizeException($"a tensor of shape {ShapeText(shape)} needs {Runs.MemoryLimit.Text(bytes)}, more than the memory limit of {Runs.MemoryLimit.Text(Runs.MemoryLimit.Bytes)}; reduce the sizes in the config, or raise the limit with {Runs.MemoryLimit.Variable}=<bytes, e.g. 16G>");
        return n;
    }
}

/// <summary>
/// A tensor too large to allocate: more elements than one array holds, or more bytes than the memory
/// limit. Always caused by sizes in a config, so runs report it as the user's mistake (exit 2).
/// </summary>
public sealed class TensorSizeException(string message) : ArgumentException(message);

/// <summary>Shape checks whose messages name the operation and both shapes.</summary>
public static class Shapes
{
    public static void RequireSameShape<T>(string op, Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!a.Shape.AsSpan().SequenceEqual(b.Shape))
            throw new ShapeMismatchException($"{op}: shape {Tensor<T>.ShapeText(a.Shape)} does not match {Tensor<T>.ShapeText(b.Shape)}");
    }

    public static void RequireSameLength<T>(string op, Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length != b.Length)
            throw new ShapeMismatchException($"{op}: shape {Tensor<T>.ShapeText(a.Shape)} and {Tensor<T>.ShapeText(b.Shape)} have different element counts");
    }

    /// <summary>Checks a condition outside hot loops (the message is built eagerly; hot paths test first and call <see cref="Fail"/>).</summary>
    public static void Require(bool ok, string op, string expected, ReadOnlySpan<int> actual)
    {
        if (!ok) Fail(op, expected, actual);
    }

    /// <summary>Throws a mismatch naming the operation, the shape received and the one expected. Callers test first, so messages are only built on failure.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Fail(string op, string expected, ReadOnlySpan<int> actual) =>
        throw new ShapeMismatchException($"{op}: got shape {"[" + string.Join(",", actual.ToArray()) + "]"}, expected {expected}");
}

/// <summary>Raised when tensor shapes do not fit an operation; the message names the operation and the shapes.</summary>
public sealed class ShapeMismatchException(string message) : ArgumentException(message);
