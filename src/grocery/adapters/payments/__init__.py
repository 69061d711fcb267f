"""The payment providers: manual (paid at the door or the counter) and Stripe."""
