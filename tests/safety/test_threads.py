"""One compiled Template rendered from 8 threads at once gives what serial renders give, and no
render sees another's state: variables, macros from #evaluate, #define blocks, limits."""
import threading

from vtl_engine import Limits, Template, VtlLimitError

SOURCE = """#macro(row $k $v)$k=$v;#end
#define($title)T$n#end
#foreach($i in [1..40])#row($i "$n-$i")#set($acc = "$!acc$i")#end
$title $acc.length() #evaluate("#macro(late)L$n#end#late()")
#if($n % 2 == 0)#late()#else$!nothing#end
#set($m = {})#foreach($w in $words)#set($ok = $m.put($w, $n))#end$m"""

THREADS = 8
ROUNDS = 10


def context(n):
    return {"n": n, "words": [f"w{n}", "x", f"z{n % 3}"]}


def run_concurrently(work):
    barrier = threading.Barrier(THREADS)
    errors = []

    def start(n):
        barrier.wait()
        try:
            work(n)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=start, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_one_template_from_8_threads_equals_serial_renders():
    template = Template(SOURCE, "velocity")
    serial = {n: template.render(context(n)) for n in range(THREADS)}
    assert len(set(serial.values())) == THREADS
    results = {n: [] for n in range(THREADS)}

    def work(n):
        for _ in range(ROUNDS):
            results[n].append(template.render(context(n)))

    run_concurrently(work)
    assert all(results[n] == [serial[n]] * ROUNDS for n in range(THREADS))


def test_macros_from_evaluate_stay_in_their_render():
    template = Template("#late()", "velocity")
    before = dict(template._compiled.macros)
    Template(SOURCE, "velocity").render(context(2))
    assert template.render() == "#late()"
    assert template._compiled.macros == before


def test_a_render_hitting_its_limit_does_not_affect_others():
    source = '#foreach($i in [1..$count])#set($s = "$!s$i")#end$s.length()'
    strict = Template(source, "velocity", limits=Limits(max_string_length=50))
    lenient = Template(source, "velocity")
    assert strict._compiled is lenient._compiled   # one compiled code, two sets of limits
    outcomes = {n: [] for n in range(THREADS)}

    def work(n):
        for _ in range(ROUNDS):
            if n % 2:
                try:
                    strict.render({"count": 100})
                    outcomes[n].append("rendered")
                except VtlLimitError as e:
                    outcomes[n].append(e.limit)
            else:
                outcomes[n].append(lenient.render({"count": 100}))

    run_concurrently(work)
    for n in range(THREADS):
        assert outcomes[n] == (["max_string_length"] if n % 2 else ["192"]) * ROUNDS
