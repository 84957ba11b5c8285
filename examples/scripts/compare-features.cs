#:project ../../src/Noether/Noether.csproj
// Loads two feature matrices saved by NumPy (np.save, N × D each, rows are the same N inputs) and
// prints how alike the two representations are: linear CKA and the mutual k-nearest-neighbour overlap.
// Usage: dotnet run examples/scripts/compare-features.cs -- a.npy b.npy
// Without arguments it writes a demo pair (B = a rotation of A plus noise) to a temporary folder first.
using Noether.Probes;
using Noether.Runs;
using Noether.Tensors;

string a, b;
if (args.Length == 2) (a, b) = (args[0], args[1]);
else
{
    var rng = new Rng(1);
    int n = 200, d = 16;
    var x = new Tensor<double>(n, d);
    rng.FillNormal(x.Span, 0, 1);
    var q = new Tensor<double>(d, d); // a random rotation-like mix, so B holds A's information in other coordinates
    rng.FillNormal(q.Span, 0, 1 / Math.Sqrt(d));
    var y = new Tensor<double>(n, d);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < d; j++)
        {
            double s = 0.3 * rng.Normal();
            for (int k = 0; k < d; k++) s += x[i * d + k] * q[k * d + j];
            y[i * d + j] = s;
        }
    string dir = Directory.CreateTempSubdirectory("noether-features-").FullName;
    (a, b) = (Path.Combine(dir, "a.npy"), Path.Combine(dir, "b.npy"));
    Npy.Write(a, x);
    Npy.Write(b, y);
    Console.WriteLine($"wrote a demo pair: {a} {b}");
}
var fa = Npy.ReadDouble(a); // any dtype and order NumPy writes is read as float64
var fb = Npy.ReadDouble(b);
Console.WriteLine($"A {Tensor<double>.ShapeText(fa.Shape)}, B {Tensor<double>.ShapeText(fb.Shape)}");
Console.WriteLine($"linear CKA       {Cka.LinearCka(fa, fb):0.0000}");
Console.WriteLine($"mutual k-NN (10) {MutualKnn.MutualKnnAlignment(fa, fb, k: 10):0.0000}  (chance {MutualKnn.Chance(fa.Shape[0], 10):0.0000})");
